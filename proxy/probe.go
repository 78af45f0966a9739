package proxy

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// The appliance's frontend track (SPEC §4.1) probes an HTTP frontend
// through its own listener every second. Its request names a path secret
// to this process (ProbeURI); the frontend answers it itself, before any
// rule, as HAProxy answers a monitor-uri: not forwarded to a server, not
// logged, not counted. A request that gets this answer has crossed the
// listener, the accept loop and the HTTP codec of this very proxy.

// newProbeURI returns a path no client can guess.
func newProbeURI() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail on Linux
	return "/.haappliance-probe/" + hex.EncodeToString(b[:])
}

// ProbeURI is the path of this process's self-probe requests.
func (p *Proxy) ProbeURI() string { return p.probeURI }

// probeResponse is the answer to a self-probe.
var probeResponse = []byte("HTTP/1.1 200 OK\r\ncontent-length: 0\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n")

// isProbe reports whether the parsed request is this process's self-probe.
func (cc *clientConn) isProbe() bool {
	return string(cc.req.Method) == "GET" && string(cc.req.URI) == cc.p.probeURI
}

// answerProbe answers a self-probe and ends the connection.
func (cc *clientConn) answerProbe() {
	cc.wdl.arm(cc.conn, dlWrite, time.Now(), cc.fe.t.Client.D())
	_, _ = cc.conn.Write(probeResponse)
}
