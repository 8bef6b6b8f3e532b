package sdkdriver

import (
	"fmt"

	"github.com/heraldmq/herald/tools/internal/bench/driver"
)

// For returns sys driven by its Go client library instead of the minimal
// client: nats.go for nats, go-redis for redis, Paho for mqtt.
func For(sys driver.System) (driver.System, error) {
	switch sys.Name {
	case "herald":
		return Herald(sys.Addr, HeraldOptions{}), nil
	case "nats":
		sys.Dial = natsDial(sys.Addr)
	case "redis":
		sys.Dial = redisDial(sys.Addr)
	case "mqtt":
		sys.Dial = mqttDial(sys.Addr)
	default:
		return sys, fmt.Errorf("--sdk: no client library for %s", sys.Name)
	}
	sys.Name += "-sdk"
	return sys, nil
}

// msgBuffer is the depth of the channel each subscription delivers into.
const msgBuffer = 65536

// event is what a library's callback hands to Read.
type event struct {
	kind driver.Kind
	data []byte
	err  error
}
