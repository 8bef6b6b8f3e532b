module github.com/heraldmq/herald/tools

go 1.26.0

require (
	github.com/eclipse/paho.mqtt.golang v1.5.1
	github.com/heraldmq/herald/broker v0.0.0-00010101000000-000000000000
	github.com/heraldmq/herald/sdk/go v0.0.0
	github.com/heraldmq/herald/spec v0.0.0
	github.com/nats-io/nats.go v1.48.0
	github.com/redis/go-redis/v9 v9.23.0
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/gorilla/websocket v1.5.3 // indirect
	github.com/klauspost/compress v1.18.0 // indirect
	github.com/nats-io/nkeys v0.4.11 // indirect
	github.com/nats-io/nuid v1.0.1 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/net v0.60.0 // indirect
	golang.org/x/sync v0.17.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
)

replace (
	github.com/heraldmq/herald/broker => ../broker
	github.com/heraldmq/herald/sdk/go => ../sdk/go
	github.com/heraldmq/herald/spec => ../spec
)
