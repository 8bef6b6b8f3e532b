package driver

import (
	"crypto/tls"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	for raw, want := range map[string]struct {
		name, addr, topic string
		queue             bool
	}{
		"herald://127.0.0.1:7420":   {"herald", "127.0.0.1:7420", "/bench/x", true},
		"nats://127.0.0.1:4222":     {"nats", "127.0.0.1:4222", "bench.x", true},
		"redis://localhost:6379":    {"redis", "localhost:6379", "bench.x", false},
		"mqtt://127.0.0.1:1883":     {"mqtt", "127.0.0.1:1883", "bench/x", true},
		"baseline://127.0.0.1:9999": {"baseline", "127.0.0.1:9999", "x", false},
	} {
		sys, err := Parse(raw, HeraldOptions{})
		require.NoError(t, err, raw)
		assert.Equal(t, want.name, sys.Name, raw)
		assert.Equal(t, want.addr, sys.Addr, raw)
		assert.Equal(t, want.topic, sys.Topic("x"), raw)
		assert.Equal(t, want.queue, sys.Queue, raw)
	}
	for _, bad := range []string{"nats://", "ftp://h:1", "nats://host", "heralds://h:1", "::"} {
		_, err := Parse(bad, HeraldOptions{})
		assert.Error(t, err, bad)
	}
	sys, err := Parse("heralds://h:1", HeraldOptions{TLS: &tls.Config{}})
	require.NoError(t, err)
	assert.Equal(t, "herald", sys.Name)
}
