module github.com/heraldmq/herald/examples

go 1.26

require (
	github.com/heraldmq/herald/spec v0.0.0
	github.com/heraldmq/herald/broker v0.0.0
	github.com/heraldmq/herald/sdk/go v0.0.0
)

replace (
	github.com/heraldmq/herald/spec => ../spec
	github.com/heraldmq/herald/broker => ../broker
	github.com/heraldmq/herald/sdk/go => ../sdk/go
)
