module github.com/heraldmq/herald/sdk/go

go 1.26.0

require (
	github.com/heraldmq/herald/broker v0.0.0-00010101000000-000000000000
	github.com/heraldmq/herald/spec v0.0.0
	github.com/nats-io/nuid v1.0.1
)

replace (
	github.com/heraldmq/herald/broker => ../../broker
	github.com/heraldmq/herald/spec => ../../spec
)
