module github.com/heraldmq/herald/conformance

go 1.26.0

require (
	github.com/cucumber/godog v0.15.1
	github.com/heraldmq/herald/broker v0.0.0-00010101000000-000000000000
	github.com/heraldmq/herald/spec v0.0.0
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/cucumber/gherkin/go/v26 v26.2.0 // indirect
	github.com/cucumber/messages/go/v21 v21.0.1 // indirect
	github.com/gofrs/uuid v4.3.1+incompatible // indirect
	github.com/hashicorp/go-immutable-radix v1.3.1 // indirect
	github.com/hashicorp/go-memdb v1.3.4 // indirect
	github.com/hashicorp/golang-lru v0.5.4 // indirect
	github.com/nats-io/nuid v1.0.1 // indirect
	github.com/spf13/pflag v1.0.7 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
	golang.org/x/crypto v0.58.0 // indirect
)

replace (
	github.com/heraldmq/herald/broker => ../broker
	github.com/heraldmq/herald/spec => ../spec
)
