package proxy

import (
	"io"
	"strconv"
	"strings"

	"haappliance/proxy/h1"
	"haappliance/proxy/stats"
)

// statsPage is a frontend's stats section: the page (HTML, ;csv, ;json,
// admin POSTs) at its URI and the Prometheus exposition at /metrics, both
// behind the same basic authentication (SPEC §9.2, §9.3).
type statsPage struct {
	page stats.Page // Snapshot and Apply are set per request
}

// MetricsPath is where a stats listener serves the Prometheus text format.
const MetricsPath = "/metrics"

// maxStatsBody bounds an admin POST body (HAProxy's form is a few hundred
// bytes).
const maxStatsBody = 16 << 10

func newStatsPage(c *StatsConfig) *statsPage {
	return &statsPage{page: stats.Page{
		URI: c.StatsURI(), Realm: c.StatsRealm(), Auth: c.Auth, Refresh: c.Refresh.D(),
		Admin: c.Admin, HideVersion: c.HideVersion,
	}}
}

// matches reports whether the request addresses the page (HAProxy matches
// the URI prefix) or the metrics.
func (s *statsPage) matches(req *h1.Request) bool {
	return strings.HasPrefix(string(req.URI), s.page.URI) || string(req.Path) == MetricsPath
}

// applyAdmin performs an admin action of the stats page.
func (p *Proxy) applyAdmin(a stats.AdminAction) error {
	st, err := ParseAdminState(a.Action)
	if err != nil {
		return err
	}
	var first error
	for _, s := range a.Servers {
		if err := p.SetServerAdmin(a.Backend, s, st); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// metricsResponse renders /metrics.
func (p *Proxy) metricsResponse(method string) stats.Response {
	if method != "GET" && method != "HEAD" {
		return stats.Response{Status: 405, Header: [][2]string{{"allow", "GET, HEAD"}, {"content-length", "0"}}}
	}
	m := stats.Metrics{Snapshot: p.StatsSnapshot, VRRP: p.opts.VRRP}
	body := m.Bytes()
	h := [][2]string{{"cache-control", "no-cache"}, {"content-type", stats.MetricsContentType},
		{"content-length", strconv.Itoa(len(body))}}
	if method == "HEAD" {
		body = nil
	}
	return stats.Response{Status: 200, Header: h, Body: body}
}

// serveStats answers a request for the stats page or the metrics. It
// reports whether the connection may carry another request.
func (cc *clientConn) serveStats() bool {
	st, req := cc.fe.stats, &cc.req
	method := string(req.Method)
	auth, _ := h1.HeaderValue(req.Headers, "authorization")
	cc.r += req.HeadLen

	var body []byte
	keep := req.KeepAlive
	switch {
	case req.BodyMode() == h1.BodyNone:
	case !req.Chunked && req.ContentLength <= maxStatsBody:
		var ok bool
		if body, ok = cc.readStatsBody(int(req.ContentLength)); !ok {
			cc.fe.c.errReq.Add(1)
			cc.fe.c.cliAborts.Add(1)
			return false
		}
	default:
		cc.fe.c.errReq.Add(1)
		cc.fe.c.response(413)
		cc.writeError(413)
		cc.logStats(413, int64(len(errorResponse(413))), termProxy, phaseRequest)
		return false
	}

	var res stats.Response
	if st.page.Authorized(string(auth)) && string(req.Path) == MetricsPath &&
		!strings.HasPrefix(string(req.URI), st.page.URI) {
		res = cc.p.metricsResponse(method)
	} else {
		pg := st.page
		pg.Snapshot = cc.p.StatsSnapshot
		pg.Apply = cc.p.applyAdmin
		res = pg.Respond(method, string(req.URI), string(auth), body)
	}
	if res.Status >= 400 {
		keep = false
	}
	out := appendStatsResponse(nil, res, req.Minor, keep)
	cc.fe.c.response(res.Status)
	_ = cc.conn.SetWriteDeadline(deadline(cc.fe.t.Client.D()))
	_, err := cc.conn.Write(out)
	cc.fe.c.bytesOut.Add(uint64(len(out)))
	cc.logStats(res.Status, int64(len(out)), termLocal, phaseRequest)
	if res.Status == 401 && err == nil {
		cc.linger()
	}
	return err == nil && keep
}

// readStatsBody reads n body bytes after the head (some may already be
// buffered).
func (cc *clientConn) readStatsBody(n int) ([]byte, bool) {
	body := make([]byte, n)
	got := copy(body, cc.buf[cc.r:cc.w])
	cc.r += got
	if got < n {
		_ = cc.conn.SetReadDeadline(deadline(cc.fe.t.HTTPRequestTimeout()))
		if _, err := io.ReadFull(cc.conn, body[got:]); err != nil {
			return nil, false
		}
	}
	return body, true
}

// appendStatsResponse serializes a page response as HTTP/1.1.
func appendStatsResponse(out []byte, res stats.Response, minor int, keep bool) []byte {
	out = append(out, "HTTP/1.1 "...)
	out = strconv.AppendInt(out, int64(res.Status), 10)
	out = append(out, ' ')
	out = append(out, statusText(res.Status)...)
	out = append(out, "\r\n"...)
	for _, h := range res.Header {
		out = append(out, h[0]...)
		out = append(out, ": "...)
		out = append(out, h[1]...)
		out = append(out, "\r\n"...)
	}
	switch {
	case !keep && minor == 1:
		out = append(out, "connection: close\r\n"...)
	case keep && minor == 0:
		out = append(out, "connection: keep-alive\r\n"...)
	}
	out = append(out, "\r\n"...)
	return append(out, res.Body...)
}

func statusText(code int) string {
	switch code {
	case 200:
		return "OK"
	case 303:
		return "See Other"
	case 401:
		return "Unauthorized"
	case 405:
		return "Method Not Allowed"
	case 413:
		return "Payload Too Large"
	}
	return "Unknown"
}

// logStats logs a request answered by the stats page as HAProxy does, with
// the frontend as backend, <STATS> as server, and "LR" (locally processed)
// as termination state.
func (cc *clientConn) logStats(status int, bytes int64, who, phase byte) {
	if !cc.logging() {
		return
	}
	cc.fillLog(nil, nil)
	l := &cc.log
	l.Server = "<STATS>"
	l.Status, l.BytesRead = status, bytes
	l.Term = [2]byte{who, phase}
	l.Ta = cc.p.now().Sub(cc.tFirst)
	cc.logRequest(nil, nil)
}
