module github.com/heraldmq/herald/broker

go 1.26.0

require (
	github.com/heraldmq/herald/spec v0.0.0-00010101000000-000000000000
	github.com/nats-io/nuid v1.0.1
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/prometheus/client_golang v1.25.0 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
	golang.org/x/crypto v0.58.0 // indirect
)

replace github.com/heraldmq/herald/spec => ../spec
