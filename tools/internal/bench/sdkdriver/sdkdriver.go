package sdkdriver

import (
	"errors"
	"fmt"

	"github.com/heraldmq/herald/tools/internal/bench/driver"
)

// ErrHeraldSDK is returned for Herald until the Go SDK exists.
var ErrHeraldSDK = errors.New("--sdk: the Herald Go SDK (sdk/go) is not available yet; run without --sdk, or with --url= to bench only the peers' libraries")

// Herald returns the system for a Herald broker at addr driven by the Go
// SDK. Until sdk/go exists it returns ErrHeraldSDK.
func Herald(addr string) (driver.System, error) {
	return driver.System{}, ErrHeraldSDK
}

// For returns sys driven by its Go client library instead of the minimal
// client: nats.go for nats, go-redis for redis, Paho for mqtt.
func For(sys driver.System) (driver.System, error) {
	switch sys.Name {
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
