package proxy

import (
	"net"
	"sync"
	"syscall"
	"time"

	"haappliance/proxy/h1"
)

// serverConn is a connection to a server with its read buffer. The buffer
// is taken from the pool while a request uses the connection and given back
// while the connection idles in its server's pool.
type serverConn struct {
	net.Conn
	srv       *server
	buf       []byte
	r, w      int // unread response bytes are buf[r:w]
	idleSince time.Time
	reused    bool   // came from the idle pool
	rdl, wdl  lazyDL // the connection's read and write deadlines
	res       h1.Response
	raw       syscall.RawConn // of a plain TCP connection, once sendHead needed it
	send      headSend        // sendHead's state (sendwait.go)
}

func (sc *serverConn) takeBuf() {
	if sc.buf == nil {
		sc.buf = getBuf()
		sc.r, sc.w = 0, 0
	}
}

func (sc *serverConn) dropBuf() {
	if sc.buf != nil {
		putBuf(sc.buf)
		sc.buf = nil
	}
	sc.r, sc.w = 0, 0
}

// close closes the connection and returns its buffer.
func (sc *serverConn) close() {
	sc.dropBuf()
	_ = sc.Conn.Close()
}

// connPool keeps a server's idle keep-alive connections, most recently used
// first (LIFO), so the pool shrinks by itself when traffic drops.
type connPool struct {
	mu   sync.Mutex
	idle []*serverConn
	max  int
}

// get returns an idle connection that has been idle less than maxIdle
// (0: no limit), closing the ones that are too old.
func (p *connPool) get(now time.Time, maxIdle time.Duration) *serverConn {
	p.mu.Lock()
	for n := len(p.idle); n > 0; n = len(p.idle) {
		sc := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		if maxIdle > 0 && now.Sub(sc.idleSince) >= maxIdle {
			p.mu.Unlock()
			sc.close()
			p.mu.Lock()
			continue
		}
		p.mu.Unlock()
		sc.reused = true
		return sc
	}
	p.mu.Unlock()
	return nil
}

// put keeps sc for reuse; it reports false (and the caller closes sc) when
// the pool is full.
func (p *connPool) put(sc *serverConn, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle) >= p.max {
		return false
	}
	sc.dropBuf()
	sc.idleSince = now
	p.idle = append(p.idle, sc)
	return true
}

// reap closes the connections idle for maxIdle or more.
func (p *connPool) reap(now time.Time, maxIdle time.Duration) {
	p.mu.Lock()
	var old []*serverConn
	kept := p.idle[:0]
	for _, sc := range p.idle {
		if now.Sub(sc.idleSince) >= maxIdle {
			old = append(old, sc)
		} else {
			kept = append(kept, sc)
		}
	}
	for i := len(kept); i < len(p.idle); i++ {
		p.idle[i] = nil
	}
	p.idle = kept
	p.mu.Unlock()
	for _, sc := range old {
		sc.close()
	}
}

// closeAll closes every idle connection.
func (p *connPool) closeAll() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, sc := range idle {
		sc.close()
	}
}

func (p *connPool) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}

// bufSize is HAProxy's tune.bufsize.
const bufSize = 16384

// bufPool holds *[bufSize]byte: converting a slice back to an array
// pointer costs no allocation, unlike boxing a slice header.
var bufPool = sync.Pool{New: func() any { return new([bufSize]byte) }}

// getBuf returns a bufSize buffer from the pool.
func getBuf() []byte { return bufPool.Get().(*[bufSize]byte)[:] }

// putBuf returns a buffer obtained from getBuf to the pool.
func putBuf(b []byte) {
	if cap(b) < bufSize {
		return
	}
	bufPool.Put((*[bufSize]byte)(b[:bufSize]))
}
