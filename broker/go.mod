module github.com/heraldmq/herald/broker

go 1.26

require (
	github.com/heraldmq/herald/spec v0.0.0-00010101000000-000000000000
	github.com/nats-io/nuid v1.0.1
	github.com/stretchr/testify v1.12.1
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect

replace github.com/heraldmq/herald/spec => ../spec
