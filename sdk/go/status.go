package herald

// Status is the state of a Conn.
type Status int32

// The states of a Conn, in the order a connection goes through them.
const (
	// Connecting: Connect has not returned yet.
	Connecting Status = iota
	// Connected: a session with a server is up.
	Connected
	// Reconnecting: the session was lost; the Conn is trying the servers
	// again and buffers publishes meanwhile.
	Reconnecting
	// Draining: Drain is in progress.
	Draining
	// Closed: the Conn is finished; every call fails with
	// ErrConnectionClosed.
	Closed
)

var statusNames = [...]string{"connecting", "connected", "reconnecting", "draining", "closed"}

// String returns the status in lower case, e.g. "reconnecting".
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown"
}
