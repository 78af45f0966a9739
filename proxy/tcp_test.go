package proxy

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"haappliance/proxy/proxytest"
)

// TestTCPEchoBothWaysAtOnce sends 32 MiB through a tcp listener to an echo
// server while reading the echo: both directions are busy at once and the
// bytes arrive intact.
func TestTCPEchoBothWaysAtOnce(t *testing.T) {
	const size = 32 << 20
	echo := echoServer(t)
	opts, logs := tcpLogOptions()
	p, addr := startProxy(t, tcpListen(defaultTimeouts, `option = ["tcplog"]`,
		`{ name = "s1", address = "`+echo.Addr()+`" }`), "tcp-in", nil, opts)
	data := make([]byte, size)
	_, _ = rand.Read(data)
	c := dialTCP(t, addr)
	_ = c.SetDeadline(time.Now().Add(60 * time.Second))
	errc := make(chan error, 1)
	go func() {
		_, err := c.Write(data)
		if err == nil {
			err = c.CloseWrite()
		}
		errc <- err
	}()
	h := sha256.New()
	n, err := io.Copy(h, c)
	if err != nil {
		t.Fatalf("read after %d bytes: %v", n, err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if n != size {
		t.Fatalf("echoed %d bytes, want %d", n, size)
	}
	if want := sha256.Sum256(data); !bytes.Equal(h.Sum(nil), want[:]) {
		t.Fatal("echoed bytes differ")
	}
	line := logs.wait(t, 1)[0]
	if !strings.Contains(line, fmt.Sprintf(" %d -- ", size)) {
		t.Errorf("log line %q: want %d bytes and state --", line, size)
	}
	st := p.Snapshot()
	if got := st.Frontends[0].BytesIn; got != size {
		t.Errorf("frontend bytes in = %d, want %d", got, size)
	}
	if got := st.Frontends[0].BytesOut; got != size {
		t.Errorf("frontend bytes out = %d, want %d", got, size)
	}
}

// TestTCPHalfClose: a client that shuts its write side still gets the
// whole answer, which the server only sends after the client's EOF.
func TestTCPHalfClose(t *testing.T) {
	srv := proxytest.NewRawServer(t, func(c net.Conn) {
		n, _ := io.Copy(io.Discard, c)
		answer := bytes.Repeat([]byte("x"), 1<<20)
		_, _ = fmt.Fprintf(c, "got %d bytes\n", n)
		_, _ = c.Write(answer)
	})
	_, addr := startProxy(t, tcpListen(defaultTimeouts, `option = ["tcplog"]`,
		`{ name = "s1", address = "`+srv.Addr()+`" }`), "tcp-in", nil)
	c := dialTCP(t, addr)
	if _, err := c.Write(bytes.Repeat([]byte("q"), 100000)); err != nil {
		t.Fatal(err)
	}
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	got := readAllTCP(t, c)
	want := "got 100000 bytes\n" + strings.Repeat("x", 1<<20)
	if got != want {
		t.Fatalf("answer: %d bytes (%.30q...), want %d", len(got), got, len(want))
	}
}

// TestTCPBalance checks roundrobin alternation per connection, weights,
// backup servers and that a server whose health check fails leaves the
// rotation (and comes back).
func TestTCPBalance(t *testing.T) {
	a, b, c := nameServer(t, "a"), nameServer(t, "b"), nameServer(t, "c")
	tests := []struct {
		name    string
		balance string
		servers []string
		health  map[string]bool // server → up, applied before connecting
		want    string
	}{
		{"roundrobin alternates", "roundrobin", []string{
			`{ name = "a", address = "` + a.Addr() + `" }`,
			`{ name = "b", address = "` + b.Addr() + `" }`}, nil, "abababab"},
		{"static-rr", "static-rr", []string{
			`{ name = "a", address = "` + a.Addr() + `" }`,
			`{ name = "b", address = "` + b.Addr() + `" }`}, nil, "abababab"},
		{"weights", "roundrobin", []string{
			`{ name = "a", address = "` + a.Addr() + `", weight = 3 }`,
			`{ name = "b", address = "` + b.Addr() + `", weight = 1 }`}, nil, "aabaaaba"},
		{"first", "first", []string{
			`{ name = "a", address = "` + a.Addr() + `", maxconn = 10 }`,
			`{ name = "b", address = "` + b.Addr() + `", maxconn = 10 }`}, nil, "aaaaaaaa"},
		{"down server leaves the rotation", "roundrobin", []string{
			`{ name = "a", address = "` + a.Addr() + `" }`,
			`{ name = "b", address = "` + b.Addr() + `" }`,
			`{ name = "c", address = "` + c.Addr() + `" }`}, map[string]bool{"b": false}, "acacacac"},
		{"backup only when no active server", "roundrobin", []string{
			`{ name = "a", address = "` + a.Addr() + `" }`,
			`{ name = "c", address = "` + c.Addr() + `", backup = true }`}, map[string]bool{"a": false}, "cccccccc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, addr := startProxy(t, tcpListen(defaultTimeouts, `balance = "`+tc.balance+`"`, tc.servers...), "tcp-in", nil)
			for s, up := range tc.health {
				if _, err := p.SetServerHealth("tcp-in", s, up); err != nil {
					t.Fatal(err)
				}
			}
			var got strings.Builder
			for range 8 {
				got.WriteString(readAllTCP(t, dialTCP(t, addr)))
			}
			// The smooth weighted rotation may start anywhere in its cycle;
			// compare on a doubled string for the weighted case.
			if g := got.String(); g != tc.want && !strings.Contains(tc.want+tc.want, g) {
				t.Errorf("servers in order %q, want %q", g, tc.want)
			}
		})
	}
}

// TestTCPServerDownThenUp: a server marked DOWN by its health check gets no
// new connection; once UP again it is back in the rotation.
func TestTCPServerDownThenUp(t *testing.T) {
	a, b := nameServer(t, "a"), nameServer(t, "b")
	p, addr := startProxy(t, tcpListen(defaultTimeouts, `balance = "roundrobin"`,
		`{ name = "a", address = "`+a.Addr()+`", check = true }`,
		`{ name = "b", address = "`+b.Addr()+`", check = true }`), "tcp-in", nil)
	seq := func() string {
		var s strings.Builder
		for range 4 {
			s.WriteString(readAllTCP(t, dialTCP(t, addr)))
		}
		return s.String()
	}
	if tr, err := p.SetServerHealth("tcp-in", "a", false); err != nil || !tr.Changed {
		t.Fatalf("SetServerHealth: %+v %v", tr, err)
	}
	if got := seq(); got != "bbbb" {
		t.Errorf("with a DOWN: %q, want bbbb", got)
	}
	if _, err := p.SetServerHealth("tcp-in", "a", true); err != nil {
		t.Fatal(err)
	}
	if got := seq(); strings.Count(got, "a") != 2 || strings.Count(got, "b") != 2 {
		t.Errorf("with a UP again: %q, want a and b alternating", got)
	}
	if _, err := p.SetServerHealth("tcp-in", "b", false); err != nil {
		t.Fatal(err)
	}
	if _, err := p.SetServerHealth("tcp-in", "a", false); err != nil {
		t.Fatal(err)
	}
	c := dialTCP(t, addr)
	if got := readAllTCP(t, c); got != "" {
		t.Errorf("no server UP: got %q, want the connection closed", got)
	}
}

// TestTCPBalanceSource: with balance source, one client address always
// lands on one server; different addresses spread. Client addresses are
// given with PROXY protocol headers on an accept_proxy bind.
func TestTCPBalanceSource(t *testing.T) {
	names := []string{"a", "b", "c", "d"}
	var servers []string
	for _, n := range names {
		servers = append(servers, `{ name = "`+n+`", address = "`+nameServer(t, n).Addr()+`" }`)
	}
	cfg := strings.Replace(tcpListen(defaultTimeouts, `balance = "source"`, servers...),
		`mode = "tcp"`, "mode = \"tcp\"\naccept_proxy = true", 1)
	_, addr := startProxy(t, cfg, "tcp-in", nil)
	seen := map[string]bool{}
	for i := range 16 {
		client := fmt.Sprintf("198.18.%d.%d", i/4, 10+i*7)
		var first string
		for j := range 4 {
			c := dialTCP(t, addr)
			_, _ = fmt.Fprintf(c, "PROXY TCP4 %s 198.18.0.100 %d 9002\r\n", client, 40000+j)
			got := readAllTCP(t, c)
			if j == 0 {
				first = got
				seen[got] = true
			} else if got != first {
				t.Errorf("client %s went to %q then %q", client, first, got)
			}
		}
	}
	if len(seen) < 3 {
		t.Errorf("16 client addresses used only servers %v", seen)
	}
}

// TestTCPRetriesAndRedispatch: a refused connect is retried; with option
// redispatch and another usable server, the retry goes there at once and
// the log line shows "+1" retries, as HAProxy's. Round robin hands "bad"
// to every new session (the redispatch consumed "good"'s turn), as in
// HAProxy.
func TestTCPRetriesAndRedispatch(t *testing.T) {
	good := nameServer(t, "good")
	dead := deadPort(t)
	opts, logs := tcpLogOptions()
	_, addr := startProxy(t, tcpListen(`connect = "200ms", client = "5s", server = "5s"`,
		`option = ["tcplog", "redispatch"]
retries = 2
balance = "roundrobin"`,
		`{ name = "bad", address = "`+dead+`" }`,
		`{ name = "good", address = "`+good.Addr()+`" }`), "tcp-in", nil, opts)
	start := time.Now()
	for range 4 {
		if got := readAllTCP(t, dialTCP(t, addr)); got != "good" {
			t.Fatalf("got %q, want good", got)
		}
	}
	if d := time.Since(start); d > 150*time.Millisecond {
		t.Errorf("4 sessions took %v: the redispatch must not wait the turn-around delay", d)
	}
	re := regexp.MustCompile(`tcp-in/good \d+/\d+/\d+ 4 -- \d+/\d+/\d+/\d+/\+1 0/0$`)
	for _, l := range logs.wait(t, 4) {
		if !re.MatchString(l) {
			t.Errorf("log line %q does not match %v", l, re)
		}
	}
}

// TestTCPRetriesExhausted: a refused server without redispatch is retried
// `retries` times, with HAProxy's turn-around delay, then the client is
// closed and the line says SC.
func TestTCPRetriesExhausted(t *testing.T) {
	opts, logs := tcpLogOptions()
	_, addr := startProxy(t, tcpListen(`connect = "50ms", client = "5s", server = "5s"`,
		`option = ["tcplog"]
retries = 2`, `{ name = "bad", address = "`+deadPort(t)+`" }`), "tcp-in", nil, opts)
	c := dialTCP(t, addr)
	start := time.Now()
	if got := readAllTCP(t, c); got != "" {
		t.Fatalf("got %q", got)
	}
	if d := time.Since(start); d < 90*time.Millisecond {
		t.Errorf("closed after %v, want two turn-around delays of 50ms", d)
	}
	re := regexp.MustCompile(`^127\.0\.0\.1:\d+ \[.*\] tcp-in tcp-in/bad \d+/-1/\d+ 0 SC 1/1/0/0/2 0/0$`)
	if l := logs.wait(t, 1)[0]; !re.MatchString(l) {
		t.Errorf("log line %q does not match %v", l, re)
	}
}

// TestTCPMaxconnQueue: with server maxconn 1 the second connection waits in
// the queue until the first ends, and a third one that waits longer than
// timeout queue is closed with sQ.
func TestTCPMaxconnQueue(t *testing.T) {
	release := make(chan struct{})
	waiting := make(chan struct{}, 1)
	var once sync.Once
	srv := proxytest.NewRawServer(t, func(c net.Conn) {
		buf := make([]byte, 1)
		if _, err := c.Read(buf); err != nil {
			return
		}
		if buf[0] == 'w' {
			waiting <- struct{}{}
			<-release
		}
		_, _ = c.Write(buf)
	})
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	opts, logs := tcpLogOptions()
	_, addr := startProxy(t, tcpListen(`connect = "1s", client = "5s", server = "5s", queue = "150ms"`,
		`option = ["tcplog"]`, `{ name = "s1", address = "`+srv.Addr()+`", maxconn = 1 }`), "tcp-in", nil, opts)
	first := dialTCP(t, addr)
	_, _ = first.Write([]byte("w"))
	<-waiting // the first session holds the only slot
	second := dialTCP(t, addr)
	_, _ = second.Write([]byte("z"))
	start := time.Now()
	if got := readAllTCP(t, second); got != "" {
		t.Errorf("queued session got %q", got)
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("queue timeout after %v, want about 150ms", d)
	}
	line := logs.wait(t, 1)[0]
	if !regexp.MustCompile(`tcp-in/<NOSRV> \d+/-1/\d+ 0 sQ 2/2/1/0/0 0/0$`).MatchString(line) {
		t.Errorf("queue timeout line %q", line)
	}
	third := dialTCP(t, addr)
	_, _ = third.Write([]byte("y"))
	once.Do(func() { close(release) })
	if got := readAllTCP(t, first); got != "w" {
		t.Errorf("first got %q", got)
	}
	if got := readAllTCP(t, third); got != "y" {
		t.Errorf("third (queued, then served) got %q", got)
	}
}
