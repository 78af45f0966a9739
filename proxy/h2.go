package proxy

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http2"

	"haappliance/proxy/h1"
)

// HTTP/2 on TLS frontends. golang.org/x/net/http2 speaks the protocol;
// each stream is turned into an HTTP/1.1 request and served by the same
// clientConn code as a plain connection (routing, ACLs, rules, balancing,
// persistence, logs), over an in-memory net.Conn, h2Stream, whose reads
// give the request and whose writes carry the engine's HTTP/1.1 response
// back to the stream. Servers are always spoken to in HTTP/1.1.

// h2MaxStreams is haproxy's default tune.h2.max-concurrent-streams.
const h2MaxStreams = 100

// hopHeaders are fields HTTP/2 forbids (RFC 9113 §8.2.2) or the engine
// writes itself; they are not copied between the two sides.
var hopHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Transfer-Encoding": true,
	"Upgrade": true, "Te": true, "Content-Length": true, "Host": true, "Expect": true,
}

// serveH2 serves an HTTP/2 connection until it ends. The connection is in
// the proxy's set, idle while no stream is open, so Shutdown closes it
// like an idle keep-alive connection.
func (p *Proxy) serveH2(tc *tls.Conn, f *frontend) {
	track := newClientConn(p, f, tc)
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		_ = tc.Close()
		return
	}
	p.conns[track] = struct{}{}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.conns, track)
		p.mu.Unlock()
	}()
	var (
		wg     sync.WaitGroup
		active atomic.Int32
	)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wg.Add(1)
		defer wg.Done()
		if active.Add(1) == 1 {
			track.idle.Store(false)
		}
		defer func() {
			if active.Add(-1) == 0 {
				track.idle.Store(true)
			}
		}()
		p.serveH2Stream(w, r, f, tc)
	})
	srv := &http2.Server{MaxConcurrentStreams: h2MaxStreams, IdleTimeout: f.t.KeepAliveTimeout()}
	srv.ServeConn(tc, &http2.ServeConnOpts{Handler: h, BaseConfig: &http.Server{}})
	wg.Wait()
	_ = tc.Close()
}

// serveH2Stream serves one HTTP/2 request through the HTTP/1.1 engine.
func (p *Proxy) serveH2Stream(w http.ResponseWriter, r *http.Request, f *frontend, tc *tls.Conn) {
	if r.Method == http.MethodConnect {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	st := &h2Stream{w: w, method: r.Method, local: tc.LocalAddr(), remote: tc.RemoteAddr()}
	st.head, st.chunked = appendH1Request(nil, r)
	if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
		st.body = r.Body
	}
	st.res.Headers = make([]h1.Header, 0, 32)
	cc := newClientConn(p, f, st)
	cc.smp.ssl = true
	cc.h2 = true
	cc.serve()
}

// appendH1Request renders an HTTP/2 request as an HTTP/1.1 head with
// "connection: close" (one request per h2Stream). A body of unknown length
// is sent chunked. Header fields come in name order (HTTP/2 gives them as
// a map), each name's values in received order.
func appendH1Request(dst []byte, r *http.Request) ([]byte, bool) {
	uri := r.RequestURI
	if uri == "" {
		uri = r.URL.RequestURI()
	}
	dst = append(dst, r.Method...)
	dst = append(dst, ' ')
	dst = append(dst, uri...)
	dst = append(dst, " HTTP/1.1\r\nhost: "...)
	dst = append(dst, r.Host...)
	dst = append(dst, '\r', '\n')
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		if !hopHeaders[k] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range r.Header[k] {
			dst = append(dst, k...)
			dst = append(dst, ':', ' ')
			dst = append(dst, v...)
			dst = append(dst, '\r', '\n')
		}
	}
	chunked := false
	switch {
	case r.ContentLength > 0:
		dst = append(dst, "content-length: "...)
		dst = strconv.AppendInt(dst, r.ContentLength, 10)
		dst = append(dst, '\r', '\n')
	case r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody:
		dst = append(dst, "transfer-encoding: chunked\r\n"...)
		chunked = true
	}
	dst = append(dst, "connection: close\r\n\r\n"...)
	return dst, chunked
}

// h2Stream is the net.Conn the engine serves one HTTP/2 stream on.
type h2Stream struct {
	// Request side: the head, then the body (chunk-framed when chunked).
	head    []byte
	off     int
	body    io.Reader
	chunked bool
	pending []byte // chunk framing and data waiting to be read
	tmp     []byte
	eof     bool

	// Response side.
	w        http.ResponseWriter
	method   string
	res      h1.Response
	rbuf     []byte // bytes of the response head until it parses
	headDone bool
	mode     h1.BodyMode
	dec      chunkDecoder

	local, remote net.Addr
}

func (s *h2Stream) Read(b []byte) (int, error) {
	if s.off < len(s.head) {
		n := copy(b, s.head[s.off:])
		s.off += n
		return n, nil
	}
	if s.body == nil {
		return 0, io.EOF
	}
	if !s.chunked {
		return s.body.Read(b)
	}
	for len(s.pending) == 0 {
		if s.eof {
			return 0, io.EOF
		}
		if s.tmp == nil {
			s.tmp = make([]byte, 16<<10)
		}
		n, err := s.body.Read(s.tmp)
		var fr []byte
		if n > 0 {
			fr = strconv.AppendInt(fr, int64(n), 16)
			fr = append(fr, '\r', '\n')
			fr = append(fr, s.tmp[:n]...)
			fr = append(fr, '\r', '\n')
		}
		if err == io.EOF {
			fr = append(fr, "0\r\n\r\n"...)
			s.eof = true
		} else if err != nil {
			return 0, err
		}
		s.pending = fr
	}
	n := copy(b, s.pending)
	s.pending = s.pending[n:]
	return n, nil
}

func (s *h2Stream) Write(b []byte) (int, error) {
	n := len(b)
	if !s.headDone {
		s.rbuf = append(s.rbuf, b...)
		for {
			hl, err := h1.ParseResponse(s.rbuf, &s.res, h1.DefaultLimits)
			if err == h1.ErrIncomplete {
				return n, nil
			}
			if err != nil {
				return 0, err
			}
			if s.res.Status < 200 {
				s.rbuf = s.rbuf[hl:] // interim: HTTP/2 handles 100-continue itself
				continue
			}
			hdr := s.w.Header()
			for _, h := range s.res.Headers {
				k := http.CanonicalHeaderKey(string(h.Name))
				if !hopHeaders[k] || k == "Content-Length" && s.res.ContentLength >= 0 {
					hdr.Add(k, string(h.Value))
				}
			}
			s.mode = s.res.BodyMode([]byte(s.method))
			s.w.WriteHeader(s.res.Status)
			s.headDone = true
			b = s.rbuf[hl:]
			s.rbuf = nil
			break
		}
	}
	if err := s.body1(b); err != nil {
		return 0, err
	}
	if fl, ok := s.w.(http.Flusher); ok {
		fl.Flush()
	}
	return n, nil
}

// body1 passes response body bytes to the stream, without chunk framing.
func (s *h2Stream) body1(b []byte) error {
	switch s.mode {
	case h1.BodyNone:
		return nil
	case h1.BodyChunked:
		return s.dec.decode(b, s.w.Write)
	}
	if len(b) == 0 {
		return nil
	}
	_, err := s.w.Write(b)
	return err
}

func (s *h2Stream) Close() error                       { return nil }
func (s *h2Stream) LocalAddr() net.Addr                { return s.local }
func (s *h2Stream) RemoteAddr() net.Addr               { return s.remote }
func (s *h2Stream) SetDeadline(t time.Time) error      { return nil }
func (s *h2Stream) SetReadDeadline(t time.Time) error  { return nil }
func (s *h2Stream) SetWriteDeadline(t time.Time) error { return nil }

// chunkDecoder removes chunked framing (RFC 9112 §7.1) from a response body
// the engine already validated with h1.ChunkedScanner; trailers are
// dropped.
type chunkDecoder struct {
	state int
	size  int64
}

const (
	cdSize = iota
	cdExt
	cdData
	cdDataEnd
	cdTrailer
	cdTrailerLine
	cdDone
)

func (d *chunkDecoder) decode(b []byte, out func([]byte) (int, error)) error {
	for len(b) > 0 {
		switch d.state {
		case cdSize:
			c := b[0]
			b = b[1:]
			switch {
			case c >= '0' && c <= '9':
				d.size = d.size<<4 | int64(c-'0')
			case c >= 'a' && c <= 'f':
				d.size = d.size<<4 | int64(c-'a'+10)
			case c >= 'A' && c <= 'F':
				d.size = d.size<<4 | int64(c-'A'+10)
			case c == '\n':
				if d.size == 0 {
					d.state = cdTrailer
				} else {
					d.state = cdData
				}
			default:
				d.state = cdExt
			}
		case cdExt:
			c := b[0]
			b = b[1:]
			if c == '\n' {
				if d.size == 0 {
					d.state = cdTrailer
				} else {
					d.state = cdData
				}
			}
		case cdData:
			k := int64(len(b))
			if k > d.size {
				k = d.size
			}
			if _, err := out(b[:k]); err != nil {
				return err
			}
			b = b[k:]
			if d.size -= k; d.size == 0 {
				d.state = cdDataEnd
			}
		case cdDataEnd:
			if b[0] == '\n' {
				d.state = cdSize
			}
			b = b[1:]
		case cdTrailer: // start of a trailer line, or the final CRLF
			switch b[0] {
			case '\r':
			case '\n':
				d.state = cdDone
			default:
				d.state = cdTrailerLine
			}
			b = b[1:]
		case cdTrailerLine:
			if b[0] == '\n' {
				d.state = cdTrailer
			}
			b = b[1:]
		case cdDone:
			return nil
		}
	}
	return nil
}
