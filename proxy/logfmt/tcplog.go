package logfmt

import (
	"net/netip"
	"strconv"
	"time"
)

// TCPLog is what HAProxy's `option tcplog` line says about one connection:
//
//	%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq
//
// for example
//
//	127.0.0.1:57964 [25/Nov/2026:11:29:33.476] tcpin tcpin/t1 1/0/1 1202 -- 1/1/0/0/0 0/0
type TCPLog struct {
	Client   netip.AddrPort // %ci:%cp
	Accept   time.Time      // %t: the accept date
	Frontend string         // %ft
	TLS      bool           // adds '~' after the frontend name
	Backend  string         // %b; empty means the frontend's name
	Server   string         // %s; empty is written "<NOSRV>"

	// Timers in milliseconds, -1 when never reached (see Ms).
	Tw int64 // time in queues
	Tc int64 // time to connect to the server
	Tt int64 // total session duration

	BytesRead int64 // %B: bytes sent to the client

	// TermState is %ts: the termination cause and the session state at the
	// end; a zero byte is written '-'.
	TermState [2]byte

	ActConn, FeConn, BeConn, SrvConn int  // %ac/%fc/%bc/%sc
	Retries                          int  // %rc
	Redispatched                     bool // prefixes %rc with '+'
	SrvQueue, BackendQueue           int  // %sq/%bq
}

// AppendTo appends the tcplog line (without a trailing newline) to dst.
func (l *TCPLog) AppendTo(dst []byte) []byte {
	dst = appendHead(dst, l.Client, l.Accept, l.Frontend, l.TLS, l.Backend, l.Server)
	dst = appendTimer(dst, l.Tw)
	dst = append(dst, '/')
	dst = appendTimer(dst, l.Tc)
	dst = append(dst, '/')
	dst = appendTimer(dst, l.Tt)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, l.BytesRead, 10)
	dst = append(dst, ' ')
	dst = appendState(dst, l.TermState[:])
	dst = append(dst, ' ')
	dst = appendConns(dst, l.ActConn, l.FeConn, l.BeConn, l.SrvConn, l.Retries, l.Redispatched, '/')
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(l.SrvQueue), 10)
	dst = append(dst, '/')
	return strconv.AppendInt(dst, int64(l.BackendQueue), 10)
}
