package logfmt

import (
	"net/netip"
	"strconv"
	"time"
)

// HTTPLog is what HAProxy's `option httplog` line says about one request:
//
//	%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r
//
// for example
//
//	127.0.0.1:53168 [25/Nov/2026:11:29:33.463] fe be/s1 0/0/0/5/5 404 500 - - --NI 1/1/0/0/0 0/0 "GET /foo?x=1 HTTP/1.1"
type HTTPLog struct {
	Client netip.AddrPort // %ci:%cp
	// Date is %tr: when the request started (the accept date for the first
	// request of a connection, the end of the previous one after
	// keep-alive). Written in its own location with milliseconds.
	Date     time.Time
	Frontend string // %ft
	TLS      bool   // adds HAProxy's '~' after the frontend name
	Backend  string // %b; empty means the frontend's name, as HAProxy logs a request that reached no backend
	Server   string // %s; empty is written "<NOSRV>"

	// Timers in milliseconds, -1 when the phase was never reached (see Ms).
	TR int64 // time to receive the full request head
	Tw int64 // time spent in queues
	Tc int64 // time to connect to the server
	Tr int64 // server response time (head)
	Ta int64 // total active time of the request

	Status    int   // %ST; 0 or negative is written -1 (no response)
	BytesRead int64 // %B: bytes sent to the client

	ReqCookie  string // %CC captured request cookie; empty is "-"
	RespCookie string // %CS captured response cookie; empty is "-"

	// TermState is %tsc: the termination cause, the session state at the
	// end, the client-side persistence cookie status and the server-side
	// cookie operation. A zero byte is written '-'.
	TermState [4]byte

	ActConn, FeConn, BeConn, SrvConn int  // %ac/%fc/%bc/%sc
	Retries                          int  // %rc
	Redispatched                     bool // prefixes %rc with '+'
	SrvQueue, BackendQueue           int  // %sq/%bq

	// Captured headers (%hr, %hs), written "{v1|v2}" only when non-nil, as
	// HAProxy omits the field when nothing is captured.
	ReqHeaders, RespHeaders []string

	// The request line (%r). An empty Method means the request could not
	// be parsed and is written <BADREQ>.
	Method, URI, Version string
}

// AppendTo appends the httplog line (without a trailing newline) to dst.
func (l *HTTPLog) AppendTo(dst []byte) []byte {
	dst = appendHead(dst, l.Client, l.Date, l.Frontend, l.TLS, l.Backend, l.Server)
	dst = appendTimer(dst, l.TR)
	dst = append(dst, '/')
	dst = appendTimer(dst, l.Tw)
	dst = append(dst, '/')
	dst = appendTimer(dst, l.Tc)
	dst = append(dst, '/')
	dst = appendTimer(dst, l.Tr)
	dst = append(dst, '/')
	dst = appendTimer(dst, l.Ta)
	dst = append(dst, ' ')
	dst = appendStatus(dst, l.Status)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, l.BytesRead, 10)
	dst = append(dst, ' ')
	dst = appendOr(dst, l.ReqCookie)
	dst = append(dst, ' ')
	dst = appendOr(dst, l.RespCookie)
	dst = append(dst, ' ')
	dst = appendState(dst, l.TermState[:])
	dst = append(dst, ' ')
	dst = appendConns(dst, l.ActConn, l.FeConn, l.BeConn, l.SrvConn, l.Retries, l.Redispatched, '/')
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(l.SrvQueue), 10)
	dst = append(dst, '/')
	dst = strconv.AppendInt(dst, int64(l.BackendQueue), 10)
	if l.ReqHeaders != nil {
		dst = append(dst, ' ')
		dst = appendCaptures(dst, l.ReqHeaders)
	}
	if l.RespHeaders != nil {
		dst = append(dst, ' ')
		dst = appendCaptures(dst, l.RespHeaders)
	}
	dst = append(dst, ' ', '"')
	dst = appendRequestLine(dst, l.Method, l.URI, l.Version)
	return append(dst, '"')
}

func appendFrontend(dst []byte, name string, tls bool) []byte {
	dst = append(dst, name...)
	if tls {
		dst = append(dst, '~')
	}
	return dst
}

func appendBackendServer(dst []byte, fe, be, srv string) []byte {
	if be == "" {
		be = fe
	}
	dst = append(dst, be...)
	dst = append(dst, '/')
	if srv == "" {
		return append(dst, "<NOSRV>"...)
	}
	return append(dst, srv...)
}

func appendStatus(dst []byte, st int) []byte {
	if st <= 0 {
		return append(dst, '-', '1')
	}
	return strconv.AppendInt(dst, int64(st), 10)
}

// appendConns appends %ac/%fc/%bc/%sc/%rc with sep between them; retries get
// a '+' prefix when the request was redispatched.
func appendConns(dst []byte, ac, fc, bc, sc, rc int, redisp bool, sep byte) []byte {
	dst = strconv.AppendInt(dst, int64(ac), 10)
	dst = append(dst, sep)
	dst = strconv.AppendInt(dst, int64(fc), 10)
	dst = append(dst, sep)
	dst = strconv.AppendInt(dst, int64(bc), 10)
	dst = append(dst, sep)
	dst = strconv.AppendInt(dst, int64(sc), 10)
	dst = append(dst, sep)
	if redisp {
		dst = append(dst, '+')
	}
	return strconv.AppendInt(dst, int64(rc), 10)
}

func appendCaptures(dst []byte, hs []string) []byte {
	dst = append(dst, '{')
	for i, h := range hs {
		if i > 0 {
			dst = append(dst, '|')
		}
		dst = appendEscaped(dst, h, &hdrEncode)
	}
	return append(dst, '}')
}

// appendRequestLine appends "METHOD URI VERSION" escaped as HAProxy's %r,
// or <BADREQ> when there is no method.
func appendRequestLine(dst []byte, method, uri, version string) []byte {
	if method == "" {
		return append(dst, "<BADREQ>"...)
	}
	dst = appendEscaped(dst, method, &urlEncode)
	if uri != "" {
		dst = append(dst, ' ')
		dst = appendEscaped(dst, uri, &urlEncode)
	}
	if version != "" {
		dst = append(dst, ' ')
		dst = appendEscaped(dst, version, &urlEncode)
	}
	return dst
}
