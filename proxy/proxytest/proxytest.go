// Package proxytest provides test servers and clients for the proxy
// engine's in-process end-to-end tests, in the spirit of net/http/httptest:
// web servers on 127.0.0.1 port 0 that record what they received, and a
// raw HTTP/1.1 client that shows the exact bytes the proxy sent back.
package proxytest

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Seen is a request as a Backend received it.
type Seen struct {
	Method     string
	URI        string
	Proto      string
	Header     http.Header
	Body       string
	RemoteAddr string
}

// Backend is a web server on 127.0.0.1:0 that answers "NAME\n" (or runs
// Handler) and records each request.
type Backend struct {
	Name    string
	Server  *httptest.Server
	mu      sync.Mutex
	seen    []Seen
	conns   map[string]bool
	Handler http.HandlerFunc // optional; set before the first request
}

// NewBackend starts a Backend; it is closed when the test ends.
func NewBackend(t testing.TB, name string) *Backend {
	b := &Backend{Name: name, conns: map[string]bool{}}
	b.Server = httptest.NewServer(http.HandlerFunc(b.serve))
	t.Cleanup(b.Server.Close)
	return b
}

func (b *Backend) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	b.mu.Lock()
	b.seen = append(b.seen, Seen{Method: r.Method, URI: r.RequestURI, Proto: r.Proto,
		Header: r.Header.Clone(), Body: string(body), RemoteAddr: r.RemoteAddr})
	b.conns[r.RemoteAddr] = true
	h := b.Handler
	b.mu.Unlock()
	if h != nil {
		h(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, b.Name+"\n")
}

// Addr is the backend's host:port.
func (b *Backend) Addr() string { return b.Server.Listener.Addr().String() }

// Seen returns the requests received so far.
func (b *Backend) Seen() []Seen {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Seen(nil), b.seen...)
}

// Count is the number of requests received.
func (b *Backend) Count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.seen)
}

// Conns is the number of distinct client connections seen.
func (b *Backend) Conns() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.conns)
}

// RawServer accepts connections on 127.0.0.1:0 and runs Handle for each,
// in its own goroutine; for tests that need byte-exact control of the
// server side.
type RawServer struct {
	Listener net.Listener
	wg       sync.WaitGroup
}

// NewRawServer starts a RawServer; it is closed, and its handlers waited
// for, when the test ends. Handlers must return when their conn closes.
func NewRawServer(t testing.TB, handle func(c net.Conn)) *RawServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &RawServer{Listener: ln}
	var mu sync.Mutex
	var conns []net.Conn
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		s.wg.Wait()
	})
	return s
}

// Addr is the server's host:port.
func (s *RawServer) Addr() string { return s.Listener.Addr().String() }

// ReadHead reads one request or response head (through the empty line)
// from r.
func ReadHead(r *bufio.Reader) (string, error) {
	var head []byte
	for {
		line, err := r.ReadString('\n')
		head = append(head, line...)
		if err != nil {
			return string(head), err
		}
		if line == "\r\n" || line == "\n" {
			return string(head), nil
		}
	}
}

// Client is a raw HTTP/1.1 client connection to the proxy.
type Client struct {
	Conn net.Conn
	R    *bufio.Reader
}

// Dial connects to addr; the connection is closed when the test ends.
func Dial(t testing.TB, addr string) *Client {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	return &Client{Conn: c, R: bufio.NewReader(c)}
}

// Send writes raw bytes.
func (c *Client) Send(t testing.TB, s string) {
	t.Helper()
	if _, err := io.WriteString(c.Conn, s); err != nil {
		t.Fatal(err)
	}
}

// Response reads one response: its head as received and its body, using
// net/http's framing rules for the method of the request.
func (c *Client) Response(t testing.TB, method string) (head string, resp *http.Response, body string) {
	t.Helper()
	// Peek the head bytes as received, then let net/http parse them.
	var raw []byte
	for {
		line, err := c.R.ReadString('\n')
		raw = append(raw, line...)
		if err != nil {
			t.Fatalf("reading response head: %v (got %q)", err, raw)
		}
		if line == "\r\n" {
			break
		}
	}
	br := bufio.NewReader(io.MultiReader(stringsReader(string(raw)), c.R))
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("parsing response: %v (head %q)", err, raw)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	// Bytes net/http buffered beyond the body belong to the next response.
	if n := br.Buffered(); n > 0 {
		rest, _ := br.Peek(n)
		c.R = bufio.NewReader(io.MultiReader(stringsReader(string(rest)), c.R))
	}
	return string(raw), resp, string(b)
}

// Closed reports whether the proxy closed the connection (EOF within d).
func (c *Client) Closed(d time.Duration) bool {
	_ = c.Conn.SetReadDeadline(time.Now().Add(d))
	_, err := c.R.ReadByte()
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

type strReader struct {
	s string
	i int
}

func (r *strReader) Read(p []byte) (int, error) {
	if r.i >= len(r.s) {
		return 0, io.EOF
	}
	n := copy(p, r.s[r.i:])
	r.i += n
	return n, nil
}

func stringsReader(s string) io.Reader { return &strReader{s: s} }
