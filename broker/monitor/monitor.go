package monitor

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/heraldmq/herald/broker"
)

// Paging bounds of /connz.
const (
	DefaultConnzLimit = 1024
	MaxConnzLimit     = 100_000
)

// Monitor is an http.Handler serving /healthz, /metrics and /connz for one
// broker (see the package documentation). Create it with New.
type Monitor struct {
	src      Source
	registry *prometheus.Registry
	mux      *http.ServeMux
	down     atomic.Pointer[string] // why /healthz fails; nil while healthy
}

// New returns a Monitor for src, with its own Prometheus registry holding a
// Collector for src and the Go and process collectors, all prefixed
// herald_.
func New(src Source) *Monitor {
	m := &Monitor{src: src, registry: prometheus.NewRegistry(), mux: http.NewServeMux()}
	m.registry.MustRegister(NewCollector(src))
	prefixed := prometheus.WrapRegistererWithPrefix("herald_", m.registry)
	prefixed.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.mux.HandleFunc("GET /{$}", m.index)
	m.mux.HandleFunc("GET /healthz", m.healthz)
	m.mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	m.mux.HandleFunc("GET /connz", m.connz)
	return m
}

// Registry returns the registry /metrics serves, so that an embedding
// program can add its own metrics.
func (m *Monitor) Registry() *prometheus.Registry { return m.registry }

// SetUnhealthy makes /healthz answer 503 with reason from now on, e.g.
// "shutting down" while the broker drains.
func (m *Monitor) SetUnhealthy(reason string) { m.down.Store(&reason) }

// ServeHTTP serves the monitoring endpoints.
func (m *Monitor) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.mux.ServeHTTP(w, r) }

func (m *Monitor) index(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "Herald monitoring: /healthz /metrics /connz\n")
}

func (m *Monitor) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if reason := m.down.Load(); reason != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, *reason+"\n")
		return
	}
	io.WriteString(w, "ok\n")
}

// Connz is the document /connz serves.
type Connz struct {
	ServerID    string            `json:"server_id"`
	Now         time.Time         `json:"now"`
	Total       int               `json:"total"`
	Offset      int               `json:"offset"`
	Limit       int               `json:"limit"`
	Connections []broker.ConnInfo `json:"connections"`
}

func (m *Monitor) connz(w http.ResponseWriter, r *http.Request) {
	offset, err := param(r, "offset", 0, 1<<31-1)
	if err == nil {
		var limit int
		if limit, err = param(r, "limit", DefaultConnzLimit, MaxConnzLimit); err == nil {
			m.writeConnz(w, offset, limit)
			return
		}
	}
	http.Error(w, err.Error(), http.StatusBadRequest)
}

func (m *Monitor) writeConnz(w http.ResponseWriter, offset, limit int) {
	all := m.src.Connz()
	doc := Connz{ServerID: m.src.ID(), Now: time.Now().UTC(), Total: len(all), Offset: offset, Limit: limit}
	lo := min(offset, len(all))
	doc.Connections = all[lo:min(lo+limit, len(all)):min(lo+limit, len(all))]
	for i := range doc.Connections {
		if doc.Connections[i].Subscriptions == nil {
			doc.Connections[i].Subscriptions = []broker.SubInfo{} // [], not null
		}
	}
	if doc.Connections == nil {
		doc.Connections = []broker.ConnInfo{}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(doc)
}

// param reads a non-negative integer query parameter, at most max.
func param(r *http.Request, name string, def, max int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 || v > max {
		return 0, fmt.Errorf("%s=%q: want an integer from 0 to %d", name, s, max)
	}
	return v, nil
}
