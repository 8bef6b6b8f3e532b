package broker

import "sync/atomic"

// serverStats are the server-wide counters; per-connection counters are
// folded in when a connection closes.
type serverStats struct {
	accepted         atomic.Uint64
	refused          atomic.Uint64
	errorsSent       atomic.Uint64
	slowConsumers    atomic.Uint64
	dropsSlow        atomic.Uint64
	dropsQueueFull   atomic.Uint64
	lostOnLeave      atomic.Uint64
	lostClosing      atomic.Uint64
	authFailures     atomic.Uint64
	permissionDenied atomic.Uint64
	classicDropped   atomic.Uint64
	shed             atomic.Uint64
	dropsShed        atomic.Uint64

	closedInMsgs   atomic.Uint64
	closedInBytes  atomic.Uint64
	closedOutMsgs  atomic.Uint64
	closedOutBytes atomic.Uint64
}

func (st *serverStats) absorb(c *conn) {
	st.closedInMsgs.Add(c.inMsgs.Load())
	st.closedInBytes.Add(c.inBytes.Load())
	c.mu.Lock()
	st.closedOutMsgs.Add(c.outMsgs)
	st.closedOutBytes.Add(c.outBytes)
	c.mu.Unlock()
}

// Stats is a snapshot of a server's counters.
type Stats struct {
	Connections      int    // open connections
	Subscriptions    int    // live subscriptions
	Accepted         uint64 // connections accepted since start
	Refused          uint64 // connections refused at the connection limit
	InMsgs, InBytes  uint64 // messages and bytes received (frames, for bytes)
	OutMsgs          uint64 // MSG frames queued for writing
	OutBytes         uint64 // bytes of those frames
	DropsSlow        uint64 // messages dropped for full buffers (NOTICE slow_consumer)
	DropsQueueFull   uint64 // messages charged to a full rotation set (NOTICE queue_full)
	LostOnLeave      uint64 // queued messages of departed rotation members no one could take
	SlowConsumers    uint64 // times a connection started dropping
	ErrorsSent       uint64 // non-fatal ERR frames sent
	AuthFailures     uint64 // HELLOs refused with auth_failed
	PermissionDenied uint64 // PUBs and SUBs refused with permission_denied
	ClassicDropped   uint64 // classic-profile publishes to invalid channels, dropped
	Shed             uint64 // times a connection paid for MaxPendingTotal
	DropsShed        uint64 // messages dropped by shedding (also NOTICEd)
	HeldBytes        int64  // memory held by outbound queues, all connections
	QueueDelivered   uint64 // messages a rotation-set member took
	QueueSkipped     uint64 // times a member was passed over, full or without credit
	QueueCharged     uint64 // messages charged to a member because none could take them
	PendingBytes     uint64 // MSG bytes queued or being written, all connections
	WriteFlushes     uint64 // writev calls by open connections
	ServerID, Policy string
}

// Stats returns a snapshot of the server's counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{
		Subscriptions:    s.router.Count(),
		Accepted:         s.stats.accepted.Load(),
		Refused:          s.stats.refused.Load(),
		InMsgs:           s.stats.closedInMsgs.Load(),
		InBytes:          s.stats.closedInBytes.Load(),
		OutMsgs:          s.stats.closedOutMsgs.Load(),
		OutBytes:         s.stats.closedOutBytes.Load(),
		DropsSlow:        s.stats.dropsSlow.Load(),
		DropsQueueFull:   s.stats.dropsQueueFull.Load(),
		LostOnLeave:      s.stats.lostOnLeave.Load() + s.stats.lostClosing.Load(),
		SlowConsumers:    s.stats.slowConsumers.Load(),
		ErrorsSent:       s.stats.errorsSent.Load(),
		AuthFailures:     s.stats.authFailures.Load(),
		PermissionDenied: s.stats.permissionDenied.Load(),
		ClassicDropped:   s.stats.classicDropped.Load(),
		Shed:             s.stats.shed.Load(),
		DropsShed:        s.stats.dropsShed.Load(),
		HeldBytes:        s.held.Load(),
		QueueDelivered:   s.router.Queue().Delivered.Load(),
		QueueSkipped:     s.router.Queue().Skipped.Load(),
		QueueCharged:     s.router.Queue().Charged.Load(),
		ServerID:         s.id,
		Policy:           string(s.cfg.Overflow),
	}
	for c := range s.conns {
		st.Connections++
		st.InMsgs += c.inMsgs.Load()
		st.InBytes += c.inBytes.Load()
		c.mu.Lock()
		st.OutMsgs += c.outMsgs
		st.OutBytes += c.outBytes
		st.PendingBytes += uint64(c.msgQueued + c.msgInflight)
		st.WriteFlushes += c.flushes
		c.mu.Unlock()
	}
	return st
}
