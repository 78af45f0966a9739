package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Request smuggling (issue 11): each variant is rejected (400) or
// normalised, never desynchronised. The backend records exactly the
// requests it parsed; a request hidden in a body must never reach it as a
// request of its own, and what the client was answered must match what the
// backend saw.

// smuggled is the request hidden in the bodies below; {P} is the row's
// path prefix.
const smuggled = "GET {P}/smuggled HTTP/1.1\r\nHost: t\r\n\r\n"

var cutSeen = []string{"nothing-or-incomplete"}

type smuggleCase struct {
	name string
	raw  string   // {P}: the row's prefix; {L}, {X}: len(smuggled) in decimal, hex
	resp []string // what the client gets: "400", "200 URI"; "closed-or-400"
	seen []string // what the backend parsed, in order; "nothing-or-incomplete"
}

func smuggleCases() []smuggleCase {
	post := "POST {P}/a HTTP/1.1\r\nHost: t\r\n"
	rejected := []string{"400"}
	// A bad chunk is seen once the head may have been forwarded: the
	// client gets a 400 or a close, the server an incomplete body or
	// nothing.
	cut := []string{"closed-or-400"}
	return []smuggleCase{
		// CL.TE and TE.CL: both fields present is a 400 (SPEC §5).
		{name: "CL.TE", raw: post + "Content-Length: {L}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled, resp: rejected},
		{name: "TE.CL", raw: post + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n{X}\r\n" + smuggled + "\r\n0\r\n\r\n", resp: rejected},
		// TE.TE obfuscations.
		{name: "TE xchunked", raw: post + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n" + smuggled, resp: rejected},
		{name: "TE xchunked with CL", raw: post + "Content-Length: 5\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n" + smuggled, resp: rejected},
		{name: "TE chunked, identity", raw: post + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n" + smuggled, resp: rejected},
		{name: "TE identity, chunked", raw: post + "Transfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n" + smuggled, resp: rejected},
		{name: "TE identity", raw: post + "Transfer-Encoding: identity\r\nContent-Length: 5\r\n\r\n0\r\n\r\n" + smuggled, resp: rejected},
		{name: "TE twice", raw: post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled, resp: rejected},
		{name: "TE chunked then other", raw: post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n" + smuggled, resp: rejected},
		{name: "TE space before colon", raw: post + "Transfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n" + smuggled, resp: rejected},
		{name: "TE vertical tab", raw: post + "Transfer-Encoding:\x0bchunked\r\n\r\n0\r\n\r\n" + smuggled, resp: rejected},
		{name: "TE chunked with CL via obs-fold", raw: post + "Content-Length: 5\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n" + smuggled, resp: rejected},
		{name: "TE quoted", raw: post + "Transfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n" + smuggled, resp: rejected},
		{name: "TE on HTTP/1.0 with CL", raw: "POST {P}/a HTTP/1.0\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled, resp: rejected},
		// Valid spellings are normalised: one chunked body, then the
		// pipelined request is a request of the client's own.
		{name: "TE leading space", raw: post + "Transfer-Encoding:  chunked\r\n\r\n0\r\n\r\n" + smuggled,
			resp: []string{"200 {P}/a", "200 {P}/smuggled"}, seen: []string{"POST {P}/a body=0", "GET {P}/smuggled body=0"}},
		{name: "TE tab before value", raw: post + "Transfer-Encoding:\tchunked\r\n\r\n0\r\n\r\n" + smuggled,
			resp: []string{"200 {P}/a", "200 {P}/smuggled"}, seen: []string{"POST {P}/a body=0", "GET {P}/smuggled body=0"}},
		{name: "TE upper case", raw: post + "Transfer-Encoding: CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
			resp: []string{"200 {P}/a"}, seen: []string{"POST {P}/a body=3"}},
		{name: "TE obs-fold alone", raw: post + "Transfer-Encoding:\r\n chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
			resp: []string{"200 {P}/a"}, seen: []string{"POST {P}/a body=3"}},
		// Content-Length tricks.
		{name: "CL duplicate differing", raw: post + "Content-Length: 0\r\nContent-Length: {L}\r\n\r\n" + smuggled, resp: rejected},
		{name: "CL list differing", raw: post + "Content-Length: 0, {L}\r\n\r\n" + smuggled, resp: rejected},
		{name: "CL duplicate identical", raw: post + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
			resp: []string{"200 {P}/a"}, seen: []string{"POST {P}/a body=3"}},
		{name: "CL negative", raw: post + "Content-Length: -1\r\n\r\n" + smuggled, resp: rejected},
		{name: "CL plus sign", raw: post + "Content-Length: +{L}\r\n\r\n" + smuggled, resp: rejected},
		{name: "CL hex", raw: post + "Content-Length: 0x{X}\r\n\r\n" + smuggled, resp: rejected},
		{name: "CL overflow", raw: post + "Content-Length: 18446744073709551660\r\n\r\n" + smuggled, resp: rejected},
		{name: "CL empty", raw: post + "Content-Length: \r\n\r\n" + smuggled, resp: rejected},
		{name: "CL space inside", raw: post + "Content-Length: {L} 1\r\n\r\n" + smuggled, resp: rejected},
		{name: "CL obs-fold", raw: post + "Content-Length:\r\n 3\r\n\r\nabc",
			resp: []string{"200 {P}/a"}, seen: []string{"POST {P}/a body=3"}},
		// GET with a body: the body is the body, not a request.
		{name: "GET with CL body", raw: "GET {P}/a HTTP/1.1\r\nHost: t\r\nContent-Length: {L}\r\n\r\n" + smuggled,
			resp: []string{"200 {P}/a"}, seen: []string{"GET {P}/a body={L}"}},
		// Chunk framing: the head was valid and is forwarded; the bad
		// chunk ends both connections, the hidden request goes nowhere.
		{name: "chunk size 0x", raw: post + "Transfer-Encoding: chunked\r\n\r\n0x{X}\r\n" + smuggled + "\r\n0\r\n\r\n",
			resp: cut, seen: cutSeen},
		{name: "chunk size negative", raw: post + "Transfer-Encoding: chunked\r\n\r\n-{X}\r\n" + smuggled + "\r\n0\r\n\r\n",
			resp: cut, seen: cutSeen},
		{name: "chunk size overflow", raw: post + "Transfer-Encoding: chunked\r\n\r\n1000000000000000{X}\r\n" + smuggled + "\r\n0\r\n\r\n",
			resp: cut, seen: cutSeen},
		{name: "chunk size bare LF", raw: post + "Transfer-Encoding: chunked\r\n\r\n{X}\n" + smuggled + "\r\n0\r\n\r\n",
			resp: cut, seen: cutSeen},
		{name: "chunk data longer than size", raw: post + "Transfer-Encoding: chunked\r\n\r\n1\r\nab\r\n0\r\n\r\n" + smuggled,
			resp: cut, seen: cutSeen},
		// A quoted-string cannot hold a CR: the extension ends at the CRLF
		// for the proxy and for the server alike (as in HAProxy).
		{name: "chunk ext with quoted CRLF", raw: post + "Transfer-Encoding: chunked\r\n\r\n3;x=\"a\r\nabc\r\n0\r\n\r\n" + smuggled,
			resp: []string{"200 {P}/a", "200 {P}/smuggled"}, seen: []string{"POST {P}/a body=3", "GET {P}/smuggled body=0"}},
		{name: "chunk ext bare LF", raw: post + "Transfer-Encoding: chunked\r\n\r\n3;x\nabc\r\n0\r\n\r\n" + smuggled,
			resp: cut, seen: cutSeen},
		{name: "chunk ext valid", raw: post + "Transfer-Encoding: chunked\r\n\r\n3;name=value\r\nabc\r\n0\r\n\r\n",
			resp: []string{"200 {P}/a"}, seen: []string{"POST {P}/a body=3"}},
		{name: "chunk missing CRLF after data", raw: post + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc0\r\n\r\n" + smuggled,
			resp: cut, seen: cutSeen},
		{name: "trailer smuggling a field", raw: post + "Transfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: {L}\r\n\r\n" + smuggled,
			resp: []string{"200 {P}/a", "200 {P}/smuggled"}, seen: []string{"POST {P}/a body=0", "GET {P}/smuggled body=0"}},
		// Header-level tricks.
		{name: "obs-fold hides CL", raw: post + "X-A: b\r\n Content-Length: {L}\r\n\r\n" + smuggled,
			resp: []string{"200 {P}/a", "200 {P}/smuggled"}, seen: []string{"POST {P}/a body=0", "GET {P}/smuggled body=0"}},
		// Bare LF line ends are accepted as HAProxy does, and forwarded as
		// CRLF: the server sees the same body.
		{name: "bare LF line ends", raw: "POST {P}/a HTTP/1.1\nHost: t\nContent-Length: {L}\n\n" + smuggled,
			resp: []string{"200 {P}/a"}, seen: []string{"POST {P}/a body={L}"}},
		{name: "CR inside TE", raw: post + "Transfer-Encoding: chu\rnked\r\n\r\n0\r\n\r\n" + smuggled, resp: rejected},
		{name: "NUL in CL", raw: post + "Content-Length: {L}\x001\r\n\r\n" + smuggled, resp: rejected},
	}
}

func TestAbuseSmuggling(t *testing.T) {
	if testing.Short() {
		t.Skip("abuse tests skipped in -short mode")
	}
	s := newAbuseSetup(t, 4000)
	for i, tc := range smuggleCases() {
		p := fmt.Sprintf("/s%d", i)
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hidden := strings.ReplaceAll(smuggled, "{P}", p)
			r := strings.NewReplacer("{P}", p, "{L}", fmt.Sprint(len(hidden)), "{X}", fmt.Sprintf("%x", len(hidden)))
			fill := func(v []string) []string {
				var out []string
				for _, x := range v {
					out = append(out, r.Replace(x))
				}
				return out
			}
			got := exchangeAll(s.addr, r.Replace(tc.raw))
			want := fill(tc.resp)
			if len(want) == 1 && want[0] == "closed-or-400" && len(got) == 1 && (got[0] == "closed" || got[0] == "400") {
				got = want
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("client's view (-want +got):\n%s", diff)
			}
			seen := s.rec.requests(p + "/")
			for i, x := range seen {
				if before, _, ok := strings.Cut(x, " incomplete"); ok {
					seen[i] = before + " incomplete"
				}
			}
			if cmp.Equal(tc.seen, cutSeen) && (len(seen) == 0 || len(seen) == 1 && strings.HasSuffix(seen[0], " incomplete")) {
				seen = cutSeen
			}
			if diff := cmp.Diff(fill(tc.seen), seen); diff != "" {
				t.Errorf("what the backend parsed (-want +got):\n%s", diff)
			}
			// The server connection is not poisoned for the next client.
			if got := exchangeAll(s.addr, "GET "+p+"/next HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"); !cmp.Equal(got, []string{"200 " + p + "/next"}) {
				t.Errorf("next request on a fresh connection got %q", got)
			}
		})
	}
	t.Cleanup(func() {
		for _, x := range s.rec.requests("!") {
			t.Errorf("the backend could not parse what the proxy sent: %s", x)
		}
		s.healthy(t)
	})
}

// exchangeAll writes raw and reads every response until the connection
// closes or stays quiet for a second: "400", "200 URI" (from X-Seen), and
// "closed" when the connection ended without any response.
func exchangeAll(addr, raw string) []string {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return []string{"dial: " + err.Error()}
	}
	defer c.Close()
	c.SetWriteDeadline(time.Now().Add(2 * time.Second))
	io.WriteString(c, raw)
	br := bufio.NewReader(c)
	var out []string
	for {
		c.SetReadDeadline(time.Now().Add(time.Second))
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			if len(out) == 0 {
				if errClass(err) == "timeout" {
					return []string{"hang"}
				}
				return []string{"closed"}
			}
			return out
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		r := fmt.Sprint(resp.StatusCode)
		if v := resp.Header.Get("X-Seen"); v != "" {
			r += " " + v
		}
		out = append(out, r)
		if resp.Close {
			return out
		}
	}
}
