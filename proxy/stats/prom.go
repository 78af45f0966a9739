package stats

import (
	"bytes"
	"io"
	"sort"
	"strings"
	"time"
)

// MetricsContentType is the Content-Type of the text exposition format.
const MetricsContentType = "text/plain; version=0.0.4; charset=utf-8"

// Metrics renders the Prometheus text exposition format for /metrics. Its
// sources are called at every scrape, so the numbers are the atomic
// counters of that instant; nothing is registered anywhere.
type Metrics struct {
	Snapshot func() Snapshot       // proxy metrics; nil: none
	VRRP     func() []VRRPInstance // VRRP metrics; nil: none
}

// WriteText writes every metric family to w.
func (m *Metrics) WriteText(w io.Writer) error {
	var fs families
	if m.Snapshot != nil {
		snap := m.Snapshot()
		proxyFamilies(&fs, &snap)
	}
	if m.VRRP != nil {
		vrrpFamilies(&fs, m.VRRP())
	}
	return writeText(w, fs.list)
}

// Bytes returns the text exposition, for the engine to serve.
func (m *Metrics) Bytes() []byte {
	var b bytes.Buffer
	_ = m.WriteText(&b)
	return b.Bytes()
}

const ns = "haappliance_"

func secs(d time.Duration) float64 { return d.Seconds() }

func proxyFamilies(fs *families, snap *Snapshot) {
	in := &snap.Info
	if !in.Start.IsZero() {
		fs.gauge(ns+"process_start_time_seconds", "Start time of the process since the Unix epoch.", float64(in.Start.Unix()))
	}
	fs.gauge(ns+"process_current_connections", "Current client connections.", float64(in.CurrConns))
	fs.counter(ns+"process_connections_total", "Client connections accepted.", float64(in.CumConns))
	fs.counter(ns+"process_requests_total", "HTTP requests received.", float64(in.CumReq))
	fs.gauge(ns+"process_max_connections", "Global maxconn.", float64(in.Maxconn))
	for i := range snap.Proxies {
		p := &snap.Proxies[i]
		if f := p.Frontend; f != nil {
			l := []string{"proxy", p.Name}
			fs.gauge(ns+"frontend_status", "Frontend status: 1 when accepting (OPEN), 0 when FULL or STOP.", b2f(f.Status == "OPEN"), l...)
			fs.gauge(ns+"frontend_current_sessions", "Current sessions of the frontend.", float64(f.SessCur), l...)
			fs.gauge(ns+"frontend_max_sessions", "Highest number of concurrent sessions of the frontend.", float64(f.SessMax), l...)
			fs.gauge(ns+"frontend_limit_sessions", "Configured maxconn of the frontend (0: none).", float64(f.MaxConn), l...)
			fs.counter(ns+"frontend_sessions_total", "Sessions of the frontend.", float64(f.SessTotal), l...)
			fs.counter(ns+"frontend_connections_total", "Connections accepted by the frontend.", float64(f.ConnTotal), l...)
			fs.counter(ns+"frontend_bytes_in_total", "Bytes received from clients.", float64(f.BytesIn), l...)
			fs.counter(ns+"frontend_bytes_out_total", "Bytes sent to clients.", float64(f.BytesOut), l...)
			fs.counter(ns+"frontend_request_errors_total", "Invalid or timed-out requests.", float64(f.ErrReq), l...)
			fs.counter(ns+"frontend_requests_denied_total", "Requests denied by rules.", float64(f.DeniedReq), l...)
			if p.Mode == "http" {
				fs.counter(ns+"frontend_http_requests_total", "HTTP requests received by the frontend.", float64(f.Requests), l...)
				for c, n := range f.Responses {
					fs.counter(ns+"frontend_http_responses_total", "HTTP responses by status class.", float64(n), "proxy", p.Name, "code", codeLabels[c])
				}
				fs.counter(ns+"frontend_intercepted_requests_total", "Requests answered by the proxy itself.", float64(f.Intercepted), l...)
			}
		}
		if b := p.Backend; b != nil {
			backendFamilies(fs, p, b)
			for j := range p.Servers {
				serverFamilies(fs, p, &p.Servers[j])
			}
		}
	}
}

func backendFamilies(fs *families, p *Proxy, b *Backend) {
	l := []string{"proxy", p.Name}
	fs.gauge(ns+"backend_up", "1 when the backend has a usable server, else 0.", b2f(b.Status == "UP"), l...)
	fs.gauge(ns+"backend_active_servers", "Usable active servers.", float64(b.Active), l...)
	fs.gauge(ns+"backend_backup_servers", "Usable backup servers.", float64(b.Backup), l...)
	fs.gauge(ns+"backend_weight", "Total effective weight of the usable servers.", float64(b.Weight), l...)
	fs.gauge(ns+"backend_current_queue", "Requests waiting in the backend queue.", float64(b.QueueCur), l...)
	fs.gauge(ns+"backend_max_queue", "Highest number of queued requests.", float64(b.QueueMax), l...)
	fs.gauge(ns+"backend_current_sessions", "Current sessions of the backend.", float64(b.SessCur), l...)
	fs.gauge(ns+"backend_max_sessions", "Highest number of concurrent sessions of the backend.", float64(b.SessMax), l...)
	fs.counter(ns+"backend_sessions_total", "Sessions of the backend.", float64(b.SessTotal), l...)
	fs.counter(ns+"backend_bytes_in_total", "Bytes received from clients.", float64(b.BytesIn), l...)
	fs.counter(ns+"backend_bytes_out_total", "Bytes sent to clients.", float64(b.BytesOut), l...)
	fs.counter(ns+"backend_connection_errors_total", "Failed connections to servers.", float64(b.ErrConn), l...)
	fs.counter(ns+"backend_response_errors_total", "Invalid or aborted server responses.", float64(b.ErrResp), l...)
	fs.counter(ns+"backend_retry_warnings_total", "Connection retries.", float64(b.Retries), l...)
	fs.counter(ns+"backend_redispatch_warnings_total", "Redispatches to another server.", float64(b.Redispatch), l...)
	fs.counter(ns+"backend_check_down_total", "Transitions of the backend to DOWN.", float64(b.ChkDown), l...)
	fs.counter(ns+"backend_downtime_seconds_total", "Time the backend spent DOWN.", secs(b.Downtime), l...)
	if p.Mode == "http" {
		fs.counter(ns+"backend_http_requests_total", "HTTP requests sent by the backend.", float64(b.Requests), l...)
		for c, n := range b.Responses {
			fs.counter(ns+"backend_http_responses_total", "HTTP responses by status class.", float64(n), "proxy", p.Name, "code", codeLabels[c])
		}
	}
}

func serverFamilies(fs *families, p *Proxy, s *Server) {
	l := []string{"proxy", p.Name, "server", s.Name}
	fs.gauge(ns+"server_up", "1 when the server takes traffic or is only draining (UP, DRAIN, NOLB, no check), 0 when DOWN or in MAINT.", b2f(ServerUp(s.Status)), l...)
	fs.gauge(ns+"server_status", "Current state of the server as HAProxy words it, value 1.", 1, "proxy", p.Name, "server", s.Name, "state", s.Status)
	fs.gauge(ns+"server_weight", "Effective weight of the server.", float64(s.Weight), l...)
	fs.gauge(ns+"server_current_sessions", "Current sessions of the server.", float64(s.SessCur), l...)
	fs.gauge(ns+"server_max_sessions", "Highest number of concurrent sessions of the server.", float64(s.SessMax), l...)
	fs.gauge(ns+"server_limit_sessions", "Configured maxconn of the server (0: none).", float64(s.MaxConn), l...)
	fs.gauge(ns+"server_current_queue", "Requests waiting for this server.", float64(s.QueueCur), l...)
	fs.counter(ns+"server_sessions_total", "Sessions of the server.", float64(s.SessTotal), l...)
	fs.counter(ns+"server_bytes_in_total", "Bytes received from clients for this server.", float64(s.BytesIn), l...)
	fs.counter(ns+"server_bytes_out_total", "Bytes sent to clients from this server.", float64(s.BytesOut), l...)
	fs.counter(ns+"server_connection_errors_total", "Failed connections to the server.", float64(s.ErrConn), l...)
	fs.counter(ns+"server_response_errors_total", "Invalid or aborted responses of the server.", float64(s.ErrResp), l...)
	fs.counter(ns+"server_downtime_seconds_total", "Time the server spent DOWN.", secs(s.Downtime), l...)
	if p.Mode == "http" {
		for c, n := range s.Responses {
			fs.counter(ns+"server_http_responses_total", "HTTP responses by status class.", float64(n), "proxy", p.Name, "server", s.Name, "code", codeLabels[c])
		}
	}
	if c := s.Check; c != nil {
		fs.gauge(ns+"server_check_status", "Last health check of the server (HAProxy's code in the status label), value 1.", 1,
			"proxy", p.Name, "server", s.Name, "status", c.Status)
		fs.gauge(ns+"server_check_duration_seconds", "Duration of the last health check.", secs(c.Duration), l...)
		fs.counter(ns+"server_check_failures_total", "Failed health checks.", float64(s.ChkFail), l...)
		fs.counter(ns+"server_check_down_total", "Transitions of the server from UP to DOWN.", float64(s.ChkDown), l...)
	}
}

// ServerUp reports whether a server status means the server is reachable:
// UP (also while going down), DRAIN, NOLB, or "no check".
func ServerUp(status string) bool {
	return strings.HasPrefix(status, "UP") || status == "DRAIN" || status == "NOLB" || status == "no check"
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// VRRPState is a VRRP instance state, valued as haappliance_vrrp_state.
type VRRPState int

// VRRP states (SPEC §9.3).
const (
	VRRPInit   VRRPState = 0
	VRRPBackup VRRPState = 1
	VRRPMaster VRRPState = 2
	VRRPFault  VRRPState = 3
)

// VRRPInstance is what /metrics says about one VRRP instance.
type VRRPInstance struct {
	Name              string
	State             VRRPState
	BasePriority      int
	EffectivePriority int
	Transitions       uint64
	AdvertsSent       uint64
	AdvertsReceived   uint64
	Dropped           map[string]uint64 // dropped packets by reason
}

func vrrpFamilies(fs *families, insts []VRRPInstance) {
	for i := range insts {
		in := &insts[i]
		l := []string{"instance", in.Name}
		fs.gauge(ns+"vrrp_state", "VRRP state: 0 init, 1 backup, 2 master, 3 fault.", float64(in.State), l...)
		fs.gauge(ns+"vrrp_base_priority", "Configured priority.", float64(in.BasePriority), l...)
		fs.gauge(ns+"vrrp_effective_priority", "Priority after tracking weights.", float64(in.EffectivePriority), l...)
		fs.counter(ns+"vrrp_transitions_total", "State transitions.", float64(in.Transitions), l...)
		fs.counter(ns+"vrrp_adverts_sent_total", "Advertisements sent.", float64(in.AdvertsSent), l...)
		fs.counter(ns+"vrrp_adverts_received_total", "Advertisements received and accepted.", float64(in.AdvertsReceived), l...)
		reasons := make([]string, 0, len(in.Dropped))
		for r := range in.Dropped {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		for _, r := range reasons {
			fs.counter(ns+"vrrp_packets_dropped_total", "Received packets dropped, by reason.", float64(in.Dropped[r]), "instance", in.Name, "reason", r)
		}
	}
}
