package broker

import (
	"sort"

	"github.com/heraldmq/herald/broker/router"
)

// ConnInfo describes one connection, for monitoring (heraldd's /connz).
type ConnInfo struct {
	ID            uint64    `json:"id"`
	Remote        string    `json:"remote"`
	Name          string    `json:"name"`
	User          string    `json:"user,omitempty"`
	Classic       bool      `json:"classic,omitempty"`
	PendingBytes  int       `json:"pending_bytes"`
	Slow          bool      `json:"slow"`
	Dropped       uint64    `json:"dropped"`
	InMsgs        uint64    `json:"in_msgs"`
	InBytes       uint64    `json:"in_bytes"`
	OutMsgs       uint64    `json:"out_msgs"`
	OutBytes      uint64    `json:"out_bytes"`
	Subscriptions []SubInfo `json:"subscriptions"`
}

// SubInfo describes one subscription of a connection.
type SubInfo struct {
	Sid       uint32 `json:"sid"`
	Pattern   string `json:"pattern"`
	Queue     string `json:"queue,omitempty"`
	Rotating  bool   `json:"rotating,omitempty"`
	Prefetch  uint32 `json:"prefetch,omitempty"`
	Credit    uint32 `json:"credit,omitempty"`
	Seq       uint64 `json:"seq"`
	Delivered uint64 `json:"delivered"`
	Dropped   uint64 `json:"dropped"`
}

// Connz returns a snapshot of every open connection, ordered by id.
func (s *Server) Connz() []ConnInfo {
	conns := s.snapshotConns()
	out := make([]ConnInfo, 0, len(conns))
	for _, c := range conns {
		out = append(out, c.info())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (c *conn) info() ConnInfo {
	ci := ConnInfo{ID: c.id, Remote: c.remote, Classic: c.classic,
		InMsgs: c.inMsgs.Load(), InBytes: c.inBytes.Load()}
	if st := c.auth.Load(); st != nil {
		ci.User = st.user
	}
	c.subMu.Lock()
	subs := make([]*router.Sub, 0, len(c.subs))
	for _, s := range c.subs {
		subs = append(subs, s)
	}
	c.subMu.Unlock()
	c.mu.Lock()
	ci.Name = c.name
	ci.PendingBytes = c.msgQueued + c.msgInflight
	ci.Slow = c.slow
	ci.Dropped = c.dropCount
	ci.OutMsgs, ci.OutBytes = c.outMsgs, c.outBytes
	for _, s := range subs {
		ci.Subscriptions = append(ci.Subscriptions, SubInfo{Sid: s.Sid, Pattern: s.Pattern, Queue: s.Queue,
			Rotating: s.Rotating(), Prefetch: s.Prefetch, Credit: s.State.Credit, Seq: s.State.Seq,
			Delivered: s.State.Delivered, Dropped: s.State.Dropped})
	}
	c.mu.Unlock()
	sort.Slice(ci.Subscriptions, func(i, j int) bool { return ci.Subscriptions[i].Sid < ci.Subscriptions[j].Sid })
	return ci
}
