package proxy

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"haappliance/proxy/proxytest"
)

// threeServers starts s1..s3 and returns their server lines.
func threeServers(t *testing.T, extra ...string) (string, map[string]*proxytest.Backend) {
	bs := map[string]*proxytest.Backend{}
	var lines []string
	for i := 1; i <= 3; i++ {
		n := fmt.Sprintf("s%d", i)
		bs[n] = proxytest.NewBackend(t, n)
		e := ""
		if i-1 < len(extra) {
			e = extra[i-1]
		}
		lines = append(lines, srvLine(n, bs[n].Addr(), e))
	}
	return strings.Join(lines, "\n"), bs
}

// get sends a GET with extra header lines on c and returns the body.
func get(t *testing.T, c *proxytest.Client, uri, hdrs string) string {
	t.Helper()
	c.Send(t, "GET "+uri+" HTTP/1.1\r\nHost: a\r\n"+hdrs+"\r\n")
	_, _, body := c.Response(t, "GET")
	return strings.TrimSpace(body)
}

func TestBalanceWiring(t *testing.T) {
	for _, tc := range []struct {
		name, balance string
		weights       []string
		reqs          func(i int) (uri, hdrs string)
		want          []string
	}{
		{"roundrobin", "roundrobin", nil, nil, []string{"s1", "s2", "s3", "s1", "s2", "s3"}},
		{"roundrobin weights", "roundrobin", []string{", weight = 2", ", weight = 1", ", weight = 0"}, nil,
			[]string{"s1", "s2", "s1", "s1", "s2", "s1"}},
		{"static-rr", "static-rr", nil, nil, []string{"s1", "s2", "s3", "s1", "s2", "s3"}},
		{"first", "first", nil, nil, []string{"s1", "s1", "s1", "s1", "s1", "s1"}},
		{"leastconn", "leastconn", nil, nil, nil}, // sequential: all idle, rotates; checked loosely below
		{"source", "source", nil, nil, nil},
		{"uri", "uri", nil, func(i int) (string, string) { return []string{"/a", "/b", "/a", "/b", "/a", "/b"}[i], "" }, nil},
		{"url_param", "url_param id", nil, func(i int) (string, string) {
			return []string{"/x?id=1", "/y?id=2", "/z?id=1", "/w?id=2", "/v?id=1", "/u?id=2"}[i], ""
		}, nil},
		{"hdr", "hdr(X-User)", nil, func(i int) (string, string) {
			return "/", "X-User: " + []string{"alice", "bob"}[i%2] + "\r\n"
		}, nil},
		{"url_param missing falls back to roundrobin", "url_param id", nil, nil, []string{"s1", "s2", "s3", "s1", "s2", "s3"}},
		{"random", "random", nil, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines, _ := threeServers(t, tc.weights...)
			_, addr := startOne(t, oneOpts{balance: tc.balance, servers: lines})
			c := proxytest.Dial(t, addr)
			var got []string
			for i := 0; i < 6; i++ {
				uri, hdrs := "/", ""
				if tc.reqs != nil {
					uri, hdrs = tc.reqs(i)
				}
				got = append(got, get(t, c, uri, hdrs))
			}
			switch {
			case tc.want != nil:
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			case tc.reqs != nil || tc.balance == "source":
				// hashing: requests with the same input land together
				step := 2
				if tc.balance == "source" {
					step = 1
				}
				for i := step; i < len(got); i++ {
					if got[i] != got[i-step] {
						t.Errorf("hash not sticky: %v", got)
						break
					}
				}
			default:
				for _, g := range got {
					if g != "s1" && g != "s2" && g != "s3" {
						t.Errorf("unexpected server %q", g)
					}
				}
			}
		})
	}
}

func TestBackupServers(t *testing.T) {
	lines, _ := threeServers(t, "", "", ", backup = true")
	p, addr := startOne(t, oneOpts{servers: lines})
	c := proxytest.Dial(t, addr)
	for _, s := range []string{"s1", "s2"} {
		if _, err := p.SetServerHealth("be", s, false); err != nil {
			t.Fatal(err)
		}
	}
	if got := get(t, c, "/", ""); got != "s3" {
		t.Errorf("with actives down got %q, want the backup s3", got)
	}
	tr, _ := p.SetServerHealth("be", "s1", true)
	want := Transition{Backend: "be", Server: "s1", Changed: true, Up: true, Active: 1, Backup: 1}
	if diff := cmp.Diff(want, tr); diff != "" {
		t.Errorf("transition (-want +got):\n%s", diff)
	}
	if got := get(t, c, "/", ""); got != "s1" {
		t.Errorf("with s1 back got %q", got)
	}
}

func TestAdminAndWeight(t *testing.T) {
	lines, _ := threeServers(t)
	p, addr := startOne(t, oneOpts{servers: lines})
	c := proxytest.Dial(t, addr)
	if err := p.SetServerAdmin("be", "s1", Maint); err != nil {
		t.Fatal(err)
	}
	if err := p.SetServerWeight("be", "s2", 0); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if got := get(t, c, "/", ""); got != "s3" {
			t.Errorf("got %q, want s3", got)
		}
	}
	if err := p.SetServerWeight("be", "s2", 257); err == nil {
		t.Error("weight 257 accepted")
	}
	if _, err := p.SetServerHealth("be", "nope", true); err == nil {
		t.Error("unknown server accepted")
	}
	st := p.Snapshot()
	var statuses []string
	for _, s := range st.Backends[0].Servers {
		statuses = append(statuses, s.Status)
	}
	// HAProxy 2.6 shows a weight-0 server as UP (checked against its
	// `show stat`); only its weight column says it takes no new traffic.
	if diff := cmp.Diff([]string{"MAINT", "UP", "UP"}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if st.Backends[0].Status != "UP" {
		t.Errorf("backend status %q with s3 in rotation, want UP", st.Backends[0].Status)
	}
	if err := p.SetServerWeight("be", "s3", 0); err != nil {
		t.Fatal(err)
	}
	if got := p.Snapshot().Backends[0].Status; got != "DOWN" {
		t.Errorf("backend status %q with every weight 0, want DOWN (HAProxy: total weight 0)", got)
	}
	if got := st.Backends[0].Servers[2].Responses[1]; got != 3 {
		t.Errorf("s3 2xx responses = %d, want 3", got)
	}
}

// blockingBackend holds each request until release is closed.
func blockingBackend(t *testing.T, name string) (*proxytest.Backend, chan struct{}, chan struct{}) {
	be := proxytest.NewBackend(t, name)
	release, arrived := make(chan struct{}), make(chan struct{}, 100)
	be.Handler = func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		_, _ = w.Write([]byte(name + "\n"))
	}
	return be, release, arrived
}

func TestMaxconnQueue(t *testing.T) {
	be, release, arrived := blockingBackend(t, "s1")
	p, addr := startOne(t, oneOpts{queue: "5s", servers: srvLine("s1", be.Addr(), ", maxconn = 1")})
	var wg sync.WaitGroup
	results := make([]string, 3)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := proxytest.Dial(t, addr)
			c.Send(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			_, resp, body := c.Response(t, "GET")
			results[i] = fmt.Sprint(resp.StatusCode, " ", strings.TrimSpace(body))
		}(i)
	}
	<-arrived
	// one at the server, two queued
	deadline := time.Now().Add(5 * time.Second)
	for p.Snapshot().Backends[0].QueueCur != 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if q := p.Snapshot().Backends[0].QueueCur; q != 2 {
		t.Errorf("queue = %d, want 2", q)
	}
	close(release)
	wg.Wait()
	if diff := cmp.Diff([]string{"200 s1", "200 s1", "200 s1"}, results); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if m := p.Snapshot().Backends[0].Servers[0].SessMax; m != 1 {
		t.Errorf("server max sessions = %d, want 1", m)
	}
}

func TestQueueTimeout503(t *testing.T) {
	be, release, arrived := blockingBackend(t, "s1")
	defer close(release)
	_, addr := startOne(t, oneOpts{queue: "100ms", servers: srvLine("s1", be.Addr(), ", maxconn = 1")})
	c1 := proxytest.Dial(t, addr)
	c1.Send(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	<-arrived
	c2 := proxytest.Dial(t, addr)
	c2.Send(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if got := readAll(t, c2); got != errorPagesWant[503] {
		t.Errorf("queued request got %q", got)
	}
}

func TestMaxqueueRedispatchesPersistent(t *testing.T) {
	s1, release1, arrived1 := blockingBackend(t, "s1")
	defer close(release1)
	s2 := proxytest.NewBackend(t, "s2")
	cfg := `
[defaults]
mode = "http"
timeout = { connect = "2s", client = "5s", server = "5s", queue = "5s" }
[frontend.fe]
bind = ["127.0.0.1:0"]
default_backend = "be"
[backend.be]
cookie = { name = "SRV", indirect = true }
server = [
  { name = "s1", address = "{{s1}}", cookie = "s1", maxconn = 1, maxqueue = 1 },
  { name = "s2", address = "{{s2}}", cookie = "s2" },
]`
	p, addr := startProxy(t, cfg, "fe", map[string]string{"s1": s1.Addr(), "s2": s2.Addr()})
	c1 := proxytest.Dial(t, addr)
	c1.Send(t, "GET / HTTP/1.1\r\nHost: a\r\nCookie: SRV=s1\r\n\r\n")
	<-arrived1
	c2 := proxytest.Dial(t, addr) // queued on s1 (maxqueue 1)
	c2.Send(t, "GET / HTTP/1.1\r\nHost: a\r\nCookie: SRV=s1\r\n\r\n")
	deadline := time.Now().Add(5 * time.Second)
	for p.Snapshot().Backends[0].Servers[0].QueueCur != 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	c3 := proxytest.Dial(t, addr) // s1's queue is full: balanced instead
	c3.Send(t, "GET / HTTP/1.1\r\nHost: a\r\nCookie: SRV=s1\r\n\r\n")
	_, resp, body := c3.Response(t, "GET")
	if body != "s2\n" || resp.Header.Get("Set-Cookie") != "SRV=s2; path=/" {
		t.Errorf("got %q with Set-Cookie %q", body, resp.Header.Get("Set-Cookie"))
	}
}

func TestRetriesAndRedispatch(t *testing.T) {
	good := proxytest.NewBackend(t, "good")
	deadAddr := closedPort(t)
	lines := srvLine("dead", deadAddr, "") + srvLine("good", good.Addr(), "")
	p, addr := startOne(t, oneOpts{retries: "1", options: `"redispatch"`, balance: "first", servers: lines})
	c := proxytest.Dial(t, addr)
	if got := get(t, c, "/", ""); got != "good" {
		t.Errorf("got %q, want the redispatch to reach good", got)
	}
	st := p.Snapshot().Backends[0]
	if st.Retries != 1 || st.Redispatches != 1 || st.Servers[0].ErrConn != 2-1 {
		t.Errorf("retries %d redispatches %d dead econ %d", st.Retries, st.Redispatches, st.Servers[0].ErrConn)
	}
}

func closedPort(t *testing.T) string {
	ln, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	a := ln.Addr().String()
	ln.Close()
	return a
}
