package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"
)

// shownHeaders are the response headers a transcript records. Date and
// similar are left out; names are compared canonicalised, since haproxy 2.x
// lower-cases header names and HTTP names are case-insensitive.
var shownHeaders = []string{"Set-Cookie", "Cache-Control", "X-Server", "Content-Length",
	"Transfer-Encoding", "Content-Type", "Connection", "Location", "Www-Authenticate"}

// conn is a raw client connection that records what it observes.
type conn struct {
	t  testing.TB
	c  net.Conn
	br *bufio.Reader
}

func dial(t testing.TB, addr string) *conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return &conn{t: t, c: c, br: bufio.NewReader(c)}
}

func (c *conn) send(raw string) {
	c.t.Helper()
	c.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c.c, raw); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// read reads one response to a request of the given method and renders it.
func (c *conn) read(method string) string {
	c.t.Helper()
	c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		return fmt.Sprintf("<no response: %s>\n", errClass(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", resp.Proto, resp.Status)
	var hs []string
	for _, k := range shownHeaders {
		for _, v := range resp.Header[k] {
			hs = append(hs, k+": "+v)
		}
	}
	if resp.ContentLength >= 0 && resp.Header.Get("Content-Length") == "" && method != "HEAD" && resp.StatusCode != 204 && resp.StatusCode != 304 && len(resp.TransferEncoding) == 0 {
		hs = append(hs, "(close-delimited)")
	}
	for _, te := range resp.TransferEncoding {
		hs = append(hs, "Transfer-Encoding: "+te)
	}
	sort.Strings(hs)
	for _, h := range hs {
		b.WriteString(h + "\n")
	}
	b.WriteString("\n")
	b.Write(body)
	if err != nil {
		fmt.Fprintf(&b, "<body error: %s>\n", errClass(err))
	}
	return b.String()
}

// roundTrip sends raw and reads the response.
func (c *conn) roundTrip(method, raw string) string {
	c.t.Helper()
	c.send(raw)
	return c.read(method)
}

// closed reports how the server ended the connection after a response:
// "closed" when it closed within d, "open" otherwise.
func (c *conn) closed(d time.Duration) string {
	c.c.SetReadDeadline(time.Now().Add(d))
	_, err := c.br.ReadByte()
	if err == nil {
		return "open (unexpected byte)"
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return "open"
	}
	return "closed"
}

func errClass(err error) string {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return "EOF"
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return "timeout"
	}
	if strings.Contains(err.Error(), "reset") {
		return "reset"
	}
	return "error"
}

func get(path string, extra ...string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: test\r\n" + strings.Join(extra, "") + "\r\n"
}
