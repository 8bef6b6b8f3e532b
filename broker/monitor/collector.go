package monitor

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldmq/herald/broker"
)

// Source is what the monitor reads; *broker.Server implements it.
type Source interface {
	// ID returns the server id announced in WELCOME.
	ID() string
	// Stats returns a snapshot of the broker's counters.
	Stats() broker.Stats
	// Connz returns a snapshot of every open connection, ordered by id.
	Connz() []broker.ConnInfo
}

// metric is one time series read from broker.Stats.
type metric struct {
	desc   *prometheus.Desc
	kind   prometheus.ValueType
	labels []string
	value  func(*broker.Stats) uint64
}

func gauge(name, help string, v func(*broker.Stats) uint64) metric {
	return metric{desc: prometheus.NewDesc(name, help, nil, nil), kind: prometheus.GaugeValue, value: v}
}

func counter(name, help string, v func(*broker.Stats) uint64) metric {
	return metric{desc: prometheus.NewDesc(name, help, nil, nil), kind: prometheus.CounterValue, value: v}
}

var dropsDesc = prometheus.NewDesc("herald_dropped_messages_total",
	"Messages dropped, by reason: slow_consumer (a subscriber's buffer was full; NOTICE sent), "+
		"queue_full (no member of a rotation set could take it; NOTICE sent), lost_on_leave (held for a "+
		"departed rotation member and taken by no one), invalid_classic_channel (a classic-profile "+
		"publish to an invalid channel), pending_total (unwritten messages of the connection holding "+
		"the most, dropped to keep all outbound buffers under --max-pending-total).", []string{"reason"}, nil)

func drops(reason string, v func(*broker.Stats) uint64) metric {
	return metric{desc: dropsDesc, kind: prometheus.CounterValue, labels: []string{reason}, value: v}
}

// metrics is every series the Collector exports.
var metrics = []metric{
	gauge("herald_connections", "Open client connections.",
		func(s *broker.Stats) uint64 { return uint64(s.Connections) }),
	gauge("herald_subscriptions", "Live subscriptions.",
		func(s *broker.Stats) uint64 { return uint64(s.Subscriptions) }),
	gauge("herald_pending_bytes", "MSG bytes queued for or being written to clients, all connections.",
		func(s *broker.Stats) uint64 { return s.PendingBytes }),
	counter("herald_connections_accepted_total", "Connections accepted.",
		func(s *broker.Stats) uint64 { return s.Accepted }),
	counter("herald_connections_refused_total", "Connections refused at the connection limit.",
		func(s *broker.Stats) uint64 { return s.Refused }),
	counter("herald_messages_in_total", "Messages published by clients and routed.",
		func(s *broker.Stats) uint64 { return s.InMsgs }),
	counter("herald_bytes_in_total", "Bytes of frames received from clients.",
		func(s *broker.Stats) uint64 { return s.InBytes }),
	counter("herald_messages_out_total", "MSG frames queued for clients.",
		func(s *broker.Stats) uint64 { return s.OutMsgs }),
	counter("herald_bytes_out_total", "Bytes of MSG frames queued for clients.",
		func(s *broker.Stats) uint64 { return s.OutBytes }),
	drops("slow_consumer", func(s *broker.Stats) uint64 { return s.DropsSlow }),
	drops("queue_full", func(s *broker.Stats) uint64 { return s.DropsQueueFull }),
	drops("lost_on_leave", func(s *broker.Stats) uint64 { return s.LostOnLeave }),
	drops("invalid_classic_channel", func(s *broker.Stats) uint64 { return s.ClassicDropped }),
	drops("pending_total", func(s *broker.Stats) uint64 { return s.DropsShed }),
	counter("herald_queue_deliveries_total", "Messages a rotation-set member took.",
		func(s *broker.Stats) uint64 { return s.QueueDelivered }),
	counter("herald_queue_skips_total", "Times a rotation-set member was passed over, full or without prefetch credit.",
		func(s *broker.Stats) uint64 { return s.QueueSkipped }),
	counter("herald_queue_charges_total", "Messages charged to a rotation-set member because no member could take them.",
		func(s *broker.Stats) uint64 { return s.QueueCharged }),
	counter("herald_shed_total", "Times the connection holding the most paid for --max-pending-total.",
		func(s *broker.Stats) uint64 { return s.Shed }),
	gauge("herald_held_bytes", "Memory held by outbound queues, all connections (bounded by --max-pending-total).",
		func(s *broker.Stats) uint64 { return uint64(max(s.HeldBytes, 0)) }),
	counter("herald_slow_consumers_total", "Times a connection started dropping messages.",
		func(s *broker.Stats) uint64 { return s.SlowConsumers }),
	counter("herald_errors_sent_total", "Non-fatal ERR frames sent.",
		func(s *broker.Stats) uint64 { return s.ErrorsSent }),
	counter("herald_auth_failures_total", "HELLOs refused with ERR auth_failed.",
		func(s *broker.Stats) uint64 { return s.AuthFailures }),
	counter("herald_permission_denied_total", "PUBs and SUBs refused with ERR permission_denied.",
		func(s *broker.Stats) uint64 { return s.PermissionDenied }),
}

var infoDesc = prometheus.NewDesc("herald_info", "Always 1; the labels describe the server.",
	[]string{"server_id", "version", "overflow"}, nil)

// Collector is a prometheus.Collector reading a broker's Stats at scrape
// time. Counters never go backwards: a connection's counts briefly missing
// from a snapshot while it closes are held at their last value.
type Collector struct {
	src  Source
	mu   sync.Mutex
	last []uint64 // last value exported for each counter of metrics
}

// NewCollector returns a Collector for src.
func NewCollector(src Source) *Collector {
	return &Collector{src: src, last: make([]uint64, len(metrics))}
}

// Describe sends the descriptors of every metric.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- infoDesc
	seen := map[*prometheus.Desc]bool{}
	for _, m := range metrics {
		if !seen[m.desc] {
			seen[m.desc] = true
			ch <- m.desc
		}
	}
}

// Collect reads the broker's Stats once and sends every metric.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	st := c.src.Stats()
	ch <- prometheus.MustNewConstMetric(infoDesc, prometheus.GaugeValue, 1, st.ServerID, broker.Version, st.Policy)
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, m := range metrics {
		v := m.value(&st)
		if m.kind == prometheus.CounterValue {
			v = max(v, c.last[i])
			c.last[i] = v
		}
		ch <- prometheus.MustNewConstMetric(m.desc, m.kind, float64(v), m.labels...)
	}
}
