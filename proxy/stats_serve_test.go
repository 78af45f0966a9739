package proxy

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"haappliance/proxy/proxytest"
	"haappliance/proxy/stats"
)

func TestServerStatusWord(t *testing.T) {
	ck := func(health int) *ServerCheck {
		return &ServerCheck{Check: stats.Check{Status: "L7OK", Rise: 2, Fall: 3, Health: health}}
	}
	for _, tc := range []struct {
		name  string
		down  bool
		admin AdminState
		ck    *ServerCheck
		want  string
	}{
		{"unchecked up", false, Ready, nil, "no check"},
		{"unchecked down", true, Ready, nil, "DOWN"},
		{"checked up full health", false, Ready, ck(4), "UP"},
		{"up going down", false, Ready, ck(3), "UP 2/3"},
		{"up going down, last", false, Ready, ck(2), "UP 1/3"},
		{"down", true, Ready, ck(0), "DOWN"},
		{"down going up", true, Ready, ck(1), "DOWN 1/2"},
		{"maint beats everything", true, Maint, ck(1), "MAINT"},
		{"maint unchecked", false, Maint, nil, "MAINT"},
		{"drain", false, Drain, ck(4), "DRAIN"},
		{"drain going down", false, Drain, ck(3), "DRAIN 2/3"},
		{"drain unchecked", false, Drain, nil, "DRAIN"},
		{"drain but down", true, Drain, ck(0), "DOWN"},
	} {
		if got := serverStatusWord(tc.down, tc.admin, tc.ck); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

const statsAdminConfig = `
[defaults]
mode = "http"
timeout = { connect = "2s", client = "5s", server = "5s" }
[listen.app]
bind = ["127.0.0.1:0"]
server = [ { name = "a", address = "{{a}}", check = true }, { name = "b", address = "{{b}}" } ]
[frontend.zfe]
bind = ["127.0.0.1:0"]
default_backend = "app"
[listen.stats]
bind = ["127.0.0.1:0"]
stats = { uri = "/stats", realm = "R", auth = ["admin:pw"], admin = true, refresh = "10s" }
`

func statsProxy(t *testing.T) (*Proxy, string, string) {
	t.Helper()
	a, b := proxytest.NewBackend(t, "a"), proxytest.NewBackend(t, "b")
	opts := Options{
		CheckInfo: func(be, srv string) (ServerCheck, bool) {
			if srv != "a" {
				return ServerCheck{}, false
			}
			return ServerCheck{Check: stats.Check{Status: "L7OK", Code: 200, Duration: 2 * time.Millisecond,
				Rise: 2, Fall: 3, Health: 4}, Failed: 1, Transitions: 2}, true
		},
		Info: func() stats.Info { return stats.Info{Version: "test", Pid: 42} },
	}
	p, stAddr := startProxy(t, statsAdminConfig, "stats", map[string]string{"a": a.Addr(), "b": b.Addr()}, opts)
	return p, stAddr, p.Addr("zfe")[0].String()
}

func statsGet(t *testing.T, addr, method, uri, auth, body string) (string, int, string) {
	t.Helper()
	c := proxytest.Dial(t, addr)
	defer c.Conn.Close()
	req := method + " " + uri + " HTTP/1.1\r\nHost: x\r\n"
	if auth != "" {
		req += "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(auth)) + "\r\n"
	}
	if body != "" {
		req += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + itoa(len(body)) + "\r\n"
	}
	c.Send(t, req+"\r\n"+body)
	head, resp, b := c.Response(t, method)
	return head, resp.StatusCode, b
}

func itoa(n int) string { return string(appendInt(nil, int64(n))) }

func TestStatsSnapshotRows(t *testing.T) {
	p, _, fe := statsProxy(t)
	for i := 0; i < 4; i++ {
		if _, st, _ := statsGet(t, fe, "GET", "/", "", ""); st != 200 {
			t.Fatalf("status %d", st)
		}
	}
	snap := p.StatsSnapshot()
	type row struct {
		Name     string
		ID       int
		Fe, Be   bool
		Servers  string
		SessTot  uint64
		Requests uint64
	}
	var got []row
	for _, px := range snap.Proxies {
		r := row{Name: px.Name, ID: px.ID, Fe: px.Frontend != nil, Be: px.Backend != nil}
		for _, s := range px.Servers {
			r.Servers += s.Name + "=" + s.Status + ";"
			r.SessTot += s.SessTotal
		}
		if px.Frontend != nil {
			r.Requests = px.Frontend.Requests
		}
		got = append(got, r)
	}
	want := []row{
		{Name: "app", ID: 1, Fe: true, Be: true, Servers: "a=UP;b=no check;", SessTot: 4},
		{Name: "stats", ID: 2, Fe: true, Be: true},
		{Name: "zfe", ID: 3, Fe: true, Be: false, Requests: 4},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	if snap.Info.Version != "test" || snap.Info.CumReq != 4 || snap.Info.Now.IsZero() {
		t.Errorf("info %+v", snap.Info)
	}
	a := snap.Proxies[0].Servers[0]
	if a.Check == nil || a.ChkFail != 1 || a.ChkDown != 2 {
		t.Errorf("server a check %+v chkfail %d chkdown %d", a.Check, a.ChkFail, a.ChkDown)
	}
}

func TestStatsEndpoints(t *testing.T) {
	p, st, _ := statsProxy(t)
	_, code, _ := statsGet(t, st, "GET", "/stats;csv", "", "")
	if code != 401 {
		t.Errorf("no auth: %d", code)
	}
	if _, code, _ := statsGet(t, st, "GET", "/metrics", "admin:bad", ""); code != 401 {
		t.Errorf("metrics with a bad password: %d", code)
	}
	head, code, body := statsGet(t, st, "GET", "/stats;csv", "admin:pw", "")
	if code != 200 || !strings.HasPrefix(body, stats.CSVHeader()+"\n") || !strings.Contains(body, "\napp,a,") {
		t.Errorf("csv: %d %q", code, body)
	}
	if !strings.Contains(head, "content-type: text/plain\r\n") || !strings.Contains(head, "refresh: 10\r\n") {
		t.Errorf("csv head %q", head)
	}
	_, code, body = statsGet(t, st, "GET", "/stats;json", "admin:pw", "")
	var js any
	if err := json.Unmarshal([]byte(body), &js); code != 200 || err != nil {
		t.Errorf("json: %d %v", code, err)
	}
	head, code, body = statsGet(t, st, "GET", "/metrics", "admin:pw", "")
	if code != 200 || !strings.Contains(head, "content-type: "+stats.MetricsContentType+"\r\n") {
		t.Errorf("metrics: %d %q", code, head)
	}
	tp := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := tp.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("metrics parse: %v", err)
	}
	found := false
	for name, f := range fams {
		if !strings.HasPrefix(name, "haappliance_") {
			t.Errorf("metric %s without prefix", name)
		}
		for _, m := range f.Metric {
			for _, l := range m.Label {
				found = found || l.GetName() == "server" && l.GetValue() == "a"
			}
		}
	}
	if !found {
		t.Errorf("no series labelled server=\"a\" in %s", body)
	}
	_, code, body = statsGet(t, st, "GET", "/stats", "admin:pw", "")
	if code != 200 || !strings.Contains(body, "<html") || !strings.Contains(body, "active_no_check") {
		t.Errorf("html: %d", code)
	}

	// Admin POST: put b in maintenance, then drain a.
	form := url.Values{"b": {"app"}, "s": {"b"}, "action": {"maint"}}.Encode()
	head, code, _ = statsGet(t, st, "POST", "/stats", "admin:pw", form)
	if code != 303 || !strings.Contains(head, "location: /stats;st=DONE\r\n") {
		t.Errorf("post: %d %q", code, head)
	}
	form = url.Values{"b": {"app"}, "s": {"a", "nosuch"}, "action": {"drain"}}.Encode()
	if head, _, _ = statsGet(t, st, "POST", "/stats", "admin:pw", form); !strings.Contains(head, "st=PART") {
		t.Errorf("partial post: %q", head)
	}
	var got []string
	for _, s := range p.StatsSnapshot().Proxies[0].Servers {
		got = append(got, s.Name+"="+s.Status)
	}
	if d := cmp.Diff([]string{"a=DRAIN", "b=MAINT"}, got); d != "" {
		t.Errorf("after admin (-want +got):\n%s", d)
	}
}
