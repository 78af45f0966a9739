package stats

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func basic(cred string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(cred)) }

func testPage(applied *[]AdminAction) *Page {
	return &Page{URI: "/stats", Realm: "HAProxy Stats", Auth: []string{"admin:admin", "ops:s3cret"}, Refresh: 30 * time.Second,
		Admin: true, Snapshot: testSnapshot,
		Apply: func(a AdminAction) error { *applied = append(*applied, a); return nil }}
}

func header(r Response, name string) string {
	for _, h := range r.Header {
		if h[0] == name {
			return h[1]
		}
	}
	return ""
}

func TestPageAuth(t *testing.T) {
	var applied []AdminAction
	p := testPage(&applied)
	tests := []struct {
		auth string
		want int
	}{
		{"", 401}, {basic("admin:wrong"), 401}, {basic("admin"), 401}, {"Basic !!!", 401}, {"Bearer x", 401},
		{basic("admin:admin"), 200}, {"basic " + base64.StdEncoding.EncodeToString([]byte("ops:s3cret")), 200},
	}
	for _, tc := range tests {
		r := p.Respond("GET", "/stats", tc.auth, nil)
		if r.Status != tc.want {
			t.Errorf("auth %q: status %d, want %d", tc.auth, r.Status, tc.want)
		}
	}
	r := p.Respond("GET", "/stats", "", nil)
	want := [][2]string{{"content-length", "112"}, {"cache-control", "no-cache"}, {"content-type", "text/html"},
		{"www-authenticate", `Basic realm="HAProxy Stats"`}}
	if diff := cmp.Diff(want, r.Header); diff != "" {
		t.Errorf("401 headers (-want +got):\n%s", diff)
	}
	if open := (&Page{URI: "/s", Snapshot: testSnapshot}).Respond("GET", "/s", "", nil); open.Status != 200 {
		t.Errorf("page without auth: %d", open.Status)
	}
}

func TestPageFormats(t *testing.T) {
	var applied []AdminAction
	p := testPage(&applied)
	auth := basic("admin:admin")
	tests := []struct {
		uri, ctype, refresh, prefix string
	}{
		{"/stats", "text/html", "30", "<!DOCTYPE html>"},
		{"/stats;csv", "text/plain", "30", "# pxname,svname,"},
		{"/stats;csv;norefresh", "text/plain", "", "# pxname,svname,"},
		{"/stats;json", "application/json", "30", "[["},
		{"/stats?x=1", "text/html", "30", "<!DOCTYPE html>"},
	}
	for _, tc := range tests {
		r := p.Respond("GET", tc.uri, auth, nil)
		got := []string{header(r, "content-type"), header(r, "refresh"), header(r, "cache-control")}
		if diff := cmp.Diff([]string{tc.ctype, tc.refresh, "no-cache"}, got); diff != "" {
			t.Errorf("%s headers (-want +got):\n%s", tc.uri, diff)
		}
		if !strings.HasPrefix(string(r.Body), tc.prefix) {
			t.Errorf("%s body starts %.40q", tc.uri, r.Body)
		}
		if header(r, "content-length") == "" {
			t.Errorf("%s: no content-length", tc.uri)
		}
	}
	var parsed any
	if err := json.Unmarshal(p.Respond("GET", "/stats;json", auth, nil).Body, &parsed); err != nil {
		t.Errorf(";json does not parse: %v", err)
	}
	csv := string(p.Respond("GET", "/stats;csv", auth, nil).Body)
	if !strings.Contains(csv, "\nms1,ms1.srv1,0,0,1,4,300,42,") || !strings.Contains(csv, ",UP,1,1,0,") || !strings.Contains(csv, ",L7OK,200,2,") {
		t.Errorf("server row lacks UP / L7OK / session total:\n%s", csv)
	}
	if r := p.Respond("HEAD", "/stats", auth, nil); r.Status != 200 || r.Body != nil {
		t.Errorf("HEAD: %d with %d bytes", r.Status, len(r.Body))
	}
	if r := p.Respond("PUT", "/stats", auth, nil); r.Status != 405 {
		t.Errorf("PUT: %d", r.Status)
	}
}

func TestPageAdminPost(t *testing.T) {
	auth := basic("admin:admin")
	tests := []struct {
		name     string
		admin    bool
		body     string
		location string
		applied  int
	}{
		{"applied", true, "b=ms1&s=ms1.srv1&s=ms1.srv2&action=drain", "/stats;st=DONE", 1},
		{"nothing ticked", true, "b=ms1&action=drain", "/stats;st=NONE", 0},
		{"bad form", true, "b=ms1&s=x&action=explode", "/stats;st=ERRP", 0},
		{"not admin", false, "b=ms1&s=ms1.srv1&action=drain", "/stats;st=DENY", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var applied []AdminAction
			p := testPage(&applied)
			p.Admin = tc.admin
			r := p.Respond("POST", "/stats", auth, []byte(tc.body))
			if r.Status != 303 || header(r, "location") != tc.location || len(applied) != tc.applied {
				t.Errorf("got %d %q with %d actions, want 303 %q with %d", r.Status, header(r, "location"), len(applied), tc.location, tc.applied)
			}
		})
	}
	var applied []AdminAction
	p := testPage(&applied)
	if r := p.Respond("POST", "/stats", "", []byte("b=ms1&s=ms1.srv1&action=maint")); r.Status != 401 || len(applied) != 0 {
		t.Errorf("unauthenticated POST: %d, %d actions", r.Status, len(applied))
	}
	page := string(p.Respond("GET", "/stats;st=DONE", auth, nil).Body)
	if !strings.Contains(page, "Action processed successfully.") {
		t.Error("result message not shown")
	}
}

func TestWriteInfo(t *testing.T) {
	now := time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC)
	in := Info{Version: "0.1.0", Pid: 42, Nbthread: 2, Start: now.Add(-(26*time.Hour + 3*time.Minute + 4*time.Second)), Now: now,
		UlimitN: 60018, Maxsock: 60018, Maxconn: 30000, HardMaxconn: 30000, CurrConns: 3, CumConns: 100, CumReq: 120, Node: "lb1", Jobs: 5, Listeners: 4, BytesOut: 999}
	var b strings.Builder
	if err := WriteInfo(&b, &in); err != nil {
		t.Fatal(err)
	}
	want := `Name: haappliance
Version: 0.1.0
Nbthread: 2
Nbproc: 1
Process_num: 1
Pid: 42
Uptime: 1d 2h03m04s
Uptime_sec: 93784
Ulimit-n: 60018
Maxsock: 60018
Maxconn: 30000
Hard_maxconn: 30000
CurrConns: 3
CumConns: 100
CumReq: 120
ConnRate: 0
ConnRateLimit: 0
MaxConnRate: 0
SessRate: 0
SessRateLimit: 0
MaxSessRate: 0
node: lb1
Stopping: 0
Jobs: 5
Listeners: 4
TotalBytesOut: 999
Start_time_sec: 1795510616
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("show info (-want +got):\n%s", diff)
	}
}
