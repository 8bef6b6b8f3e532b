package procmem

import (
	"net"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A recorded /proc/net/tcp: a listener on 127.0.0.1:4222 (0x107E), an
// established connection to it, and a listener on 0.0.0.0:6379 (0x18EB).
const tcpTable = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:107E 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31337 1 0000000000000000 100 0 0 10 0
   1: 0100007F:D2F0 0100007F:107E 01 00000000:00000000 00:00000000 00000000     0        0 31338 1 0000000000000000 20 4 30 10 -1
   2: 00000000:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
`

func TestListeningInodes(t *testing.T) {
	assert.Equal(t, []string{"31337"}, listeningInodes([]byte(tcpTable), 4222))
	assert.Equal(t, []string{"4242"}, listeningInodes([]byte(tcpTable), 6379))
	assert.Empty(t, listeningInodes([]byte(tcpTable), 53968), "an established socket is not a listener")
}

func TestParseVmRSS(t *testing.T) {
	rss, err := parseVmRSS([]byte("Name:\tnats-server\nVmPeak:\t  20000 kB\nVmRSS:\t   12345 kB\nThreads:\t5\n"))
	require.NoError(t, err)
	assert.Equal(t, int64(12345*1024), rss)
	_, err = parseVmRSS([]byte("Name:\tx\n"))
	assert.Error(t, err)
}

func TestListenerPIDFindsThisProcess(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	pid, err := ListenerPID(ln.Addr().(*net.TCPAddr).Port)
	require.NoError(t, err)
	assert.Equal(t, os.Getpid(), pid)
	rss, err := RSS(pid)
	require.NoError(t, err)
	assert.Positive(t, rss)
}
