module github.com/heraldmq/herald/examples

go 1.26.0

require (
	github.com/heraldmq/herald/broker v0.0.0
	github.com/heraldmq/herald/sdk/go v0.0.0
)

require (
	github.com/heraldmq/herald/spec v0.0.0 // indirect
	github.com/nats-io/nuid v1.0.1 // indirect
)

replace (
	github.com/heraldmq/herald/broker => ../broker
	github.com/heraldmq/herald/sdk/go => ../sdk/go
	github.com/heraldmq/herald/spec => ../spec
)
