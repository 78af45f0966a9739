package proxy

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"haappliance/config"
	"haappliance/proxy/h1"
	"haappliance/proxy/proxytest"
)

func hdrs(kv ...string) []h1.Header {
	var hs []h1.Header
	for i := 0; i < len(kv); i += 2 {
		hs = append(hs, h1.Header{Name: []byte(kv[i]), Value: []byte(kv[i+1])})
	}
	return hs
}

func TestAppendRequestCookie(t *testing.T) {
	ins := newCookieRule(&CookieConfig{Name: "SRV", Indirect: true})
	pfx := newCookieRule(&CookieConfig{Name: "JSESSIONID", Mode: "prefix"})
	plain := newCookieRule(&CookieConfig{Name: "SRV"})
	for _, tc := range []struct {
		name string
		r    *cookieRule
		in   string
		want string
	}{
		{"only ours removed", ins, "SRV=s1", ""},
		{"first removed", ins, "SRV=s1; a=1", "cookie: a=1\r\n"},
		{"middle removed", ins, "a=1; SRV=s1; b=2", "cookie: a=1; b=2\r\n"},
		{"last removed", ins, "a=1;SRV=s1", "cookie: a=1\r\n"},
		{"other names kept", ins, "SRVX=1; XSRV=2", "cookie: SRVX=1; XSRV=2\r\n"},
		{"not indirect: kept", plain, "SRV=s1; a=1", "cookie: SRV=s1; a=1\r\n"},
		{"prefix stripped", pfx, "a=1; JSESSIONID=s1~abc", "cookie: a=1; JSESSIONID=abc\r\n"},
		{"prefix without delimiter kept", pfx, "JSESSIONID=abc", "cookie: JSESSIONID=abc\r\n"},
		{"fuzz: separators normalised", ins, "0;SRV0", "cookie: 0; SRV0\r\n"},
	} {
		got := string(tc.r.appendRequestCookie(nil, []byte("Cookie"), []byte(tc.in)))
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestScanRequestCookie(t *testing.T) {
	now := int64(1_700_000_000)
	date := func(d int64) string { return string(s30tob64(nil, d>>2)) }
	r := newCookieRule(&CookieConfig{Name: "SRV", MaxIdle: config.Duration(60 * time.Second), MaxLife: config.Duration(time.Hour)})
	for _, tc := range []struct {
		name string
		hs   []h1.Header
		want cookieSeen
	}{
		{"absent", hdrs("Cookie", "a=1"), cookieSeen{}},
		{"plain", hdrs("Cookie", "a=1; SRV=s1"), cookieSeen{found: true, value: []byte("s1")}},
		{"second field", hdrs("Cookie", "a=1", "Cookie", "SRV=s2"), cookieSeen{found: true, value: []byte("s2")}},
		{"fresh dates", hdrs("Cookie", "SRV=s1|"+date(now-8)+"|"+date(now-100)),
			cookieSeen{found: true, value: []byte("s1"), lastDate: (now - 8) &^ 3, firstDate: (now - 100) &^ 3}},
		{"idle expired", hdrs("Cookie", "SRV=s1|"+date(now-100)+"|"+date(now-100)),
			cookieSeen{found: true, value: []byte("s1"), lastDate: (now - 100) &^ 3, firstDate: (now - 100) &^ 3, expired: true}},
		{"life expired", hdrs("Cookie", "SRV=s1|"+date(now-8)+"|"+date(now-4000)),
			cookieSeen{found: true, value: []byte("s1"), lastDate: (now - 8) &^ 3, firstDate: (now - 4000) &^ 3, expired: true}},
	} {
		got := r.scanRequest(tc.hs, now)
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(cookieSeen{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestInsertedCookie(t *testing.T) {
	now := int64(1_700_000_000)
	for _, tc := range []struct {
		name string
		c    CookieConfig
		srv  string
		want string
	}{
		{"seed", CookieConfig{Name: "HA_STICKY_ms1", Indirect: true, NoCache: true}, "ms1.srv1", "set-cookie: HA_STICKY_ms1=ms1.srv1; path=/\r\n"},
		{"attributes", CookieConfig{Name: "S", HTTPOnly: true, Secure: true, Domain: []string{".a.com", ".b.com"}}, "x",
			"set-cookie: S=x; path=/; domain=.a.com; domain=.b.com; HttpOnly; Secure\r\n"},
		{"server without cookie", CookieConfig{Name: "S"}, "", "set-cookie: S=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/\r\n"},
		{"dates", CookieConfig{Name: "S", MaxIdle: config.Duration(time.Minute), MaxLife: config.Duration(time.Hour)}, "x",
			"set-cookie: S=x|" + string(s30tob64(nil, (now+3)>>2)) + "|" + string(s30tob64(nil, (now+3)>>2)) + "; path=/\r\n"},
	} {
		r := newCookieRule(&tc.c)
		got := string(r.appendInsertedCookie(nil, tc.srv, &cookieSeen{}, now))
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestCacheable(t *testing.T) {
	for _, tc := range []struct {
		method string
		status int
		hs     []h1.Header
		want   bool
	}{
		// Rows checked against haproxy 2.6.12 with "cookie SRV insert nocache".
		{"GET", 200, nil, false},
		{"GET", 200, hdrs("Cache-Control", "max-age=60"), true},
		{"HEAD", 200, hdrs("Cache-Control", "max-age=60"), true},
		{"OPTIONS", 200, hdrs("Cache-Control", "max-age=60"), true},
		{"TRACE", 200, hdrs("Cache-Control", "max-age=60"), true},
		{"POST", 200, hdrs("Cache-Control", "max-age=60"), false},
		{"PUT", 200, hdrs("Cache-Control", "max-age=60"), false},
		{"DELETE", 200, hdrs("Cache-Control", "max-age=60"), false},
		{"PATCH", 200, hdrs("Cache-Control", "max-age=60"), false},
		{"FOO", 200, hdrs("Cache-Control", "max-age=60"), false},
		{"GET", 200, hdrs("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"), true},
		{"GET", 200, hdrs("ETag", `"x"`), true},
		{"GET", 200, hdrs("Expires", "Wed, 21 Oct 2035 07:28:00 GMT"), true},
		{"GET", 200, hdrs("Cache-Control", "public"), false},
		{"GET", 302, hdrs("Cache-Control", "max-age=60"), false},
		{"GET", 404, hdrs("ETag", `"x"`), true},
		{"GET", 200, hdrs("Cache-Control", "private, max-age=60"), false},
		{"GET", 200, hdrs("Cache-Control", "public, max-age=0"), false},
		{"GET", 200, hdrs("Cache-Control", "no-cache=\"set-cookie\", max-age=60"), true},
		{"GET", 200, hdrs("Pragma", "no-cache", "ETag", `"x"`), false},
		{"GET", 200, hdrs("Cache-Control", "no-store", "ETag", `"x"`), false},
	} {
		if got := cacheable([]byte(tc.method), tc.status, tc.hs); got != tc.want {
			t.Errorf("%s %d %v: got %v", tc.method, tc.status, tc.hs, got)
		}
	}
}

func FuzzCookieRequest(f *testing.F) {
	f.Add("a=1; SRV=s1; b=2", true)
	f.Add("SRV=s1|AAAAA|BBBBB", false)
	f.Add(";;SRV=~x;=;", true)
	f.Fuzz(func(t *testing.T, v string, prefix bool) {
		c := &CookieConfig{Name: "SRV", Indirect: !prefix, MaxIdle: config.Duration(time.Minute), MaxLife: config.Duration(time.Hour)}
		if prefix {
			c.Mode = "prefix"
		}
		r := newCookieRule(c)
		_ = r.scanRequest(hdrs("Cookie", v), 1_700_000_000)
		out := r.appendRequestCookie(nil, []byte("Cookie"), []byte(v))
		// Separators are normalised to "; ": at most one byte more per ';'.
		if len(out) > len(v)+len("cookie: \r\n")+strings.Count(v, ";") {
			t.Errorf("rewritten cookie grew: %q → %q", v, out)
		}
	})
}

func TestCookieModesEndToEnd(t *testing.T) {
	srv := proxytest.NewBackend(t, "s1")
	srv.Handler = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "JSESSIONID=abc; Path=/app")
		_, _ = w.Write([]byte("ok"))
	}
	for _, tc := range []struct {
		name, cookie, reqCookie string
		wantSet                 []string
		wantServerCookie        string
	}{
		{"rewrite", `{ name = "JSESSIONID", mode = "rewrite" }`, "", []string{"JSESSIONID=s1; Path=/app"}, ""},
		{"prefix", `{ name = "JSESSIONID", mode = "prefix" }`, "JSESSIONID=s1~abc", []string{"JSESSIONID=s1~abc; Path=/app"}, "JSESSIONID=abc"},
		{"insert removes server copy", `{ name = "JSESSIONID", mode = "insert", nocache = true }`, "", []string{"JSESSIONID=s1; path=/"}, ""},
		{"insert preserve", `{ name = "JSESSIONID", mode = "insert", preserve = true }`, "", []string{"JSESSIONID=abc; Path=/app"}, ""},
		{"postonly on GET", `{ name = "X", postonly = true }`, "", []string{"JSESSIONID=abc; Path=/app"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := `
[defaults]
mode = "http"
timeout = { connect = "2s", client = "5s", server = "5s" }
[frontend.fe]
bind = ["127.0.0.1:0"]
default_backend = "be"
[backend.be]
cookie = ` + tc.cookie + `
server = [ { name = "s1", address = "{{s1}}", cookie = "s1" } ]`
			_, addr := startProxy(t, cfg, "fe", map[string]string{"s1": srv.Addr()})
			c := proxytest.Dial(t, addr)
			req := "GET / HTTP/1.1\r\nHost: a\r\n"
			if tc.reqCookie != "" {
				req += "Cookie: " + tc.reqCookie + "\r\n"
			}
			c.Send(t, req+"\r\n")
			_, resp, _ := c.Response(t, "GET")
			if diff := cmp.Diff(tc.wantSet, resp.Header.Values("Set-Cookie")); diff != "" {
				t.Errorf("Set-Cookie (-want +got):\n%s", diff)
			}
			seen := srv.Seen()
			if got := seen[len(seen)-1].Header.Get("Cookie"); got != tc.wantServerCookie {
				t.Errorf("server saw Cookie %q, want %q", got, tc.wantServerCookie)
			}
		})
	}
}

func TestCookieToDownServerRedispatches(t *testing.T) {
	p, addr, _ := seed(t)
	if _, err := p.SetServerHealth("ms1", "ms1.srv1", false); err != nil {
		t.Fatal(err)
	}
	c := proxytest.Dial(t, addr)
	c.Send(t, "GET /ms1/ HTTP/1.1\r\nHost: a\r\nCookie: HA_STICKY_ms1=ms1.srv1\r\n\r\n")
	_, resp, body := c.Response(t, "GET")
	if body != "ms1.srv2\n" || resp.Header.Get("Set-Cookie") != "HA_STICKY_ms1=ms1.srv2; path=/" {
		t.Errorf("got %q, Set-Cookie %q", body, resp.Header.Get("Set-Cookie"))
	}
	// drain keeps persistent traffic
	_, _ = p.SetServerHealth("ms1", "ms1.srv1", true)
	_ = p.SetServerAdmin("ms1", "ms1.srv1", Drain)
	c.Send(t, "GET /ms1/ HTTP/1.1\r\nHost: a\r\nCookie: HA_STICKY_ms1=ms1.srv1\r\n\r\n")
	if _, _, body := c.Response(t, "GET"); body != "ms1.srv1\n" {
		t.Errorf("drained server lost its persistent request: %q", body)
	}
}
