package e2e

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"haappliance/internal/chromiumtest"
)

// obsEnv is the observability scenario (testdata/obs.*.tmpl): frontend fe
// → backend b (srv1, srv2, checked, cookie insert), backend empty (its
// only server disabled), and a stats listener with admin = true.
type obsEnv struct {
	Port, StatsPort int
	Web             []int
	Dir             string
	LogAddr         string // haappliance: "udp://127.0.0.1:P"; haproxy: "127.0.0.1:P"
}

func newObsEnv(t *testing.T, logAddr string) obsEnv {
	t.Helper()
	return obsEnv{Port: freePort(t), StatsPort: freePort(t), Dir: t.TempDir(), LogAddr: logAddr,
		Web: startEcho(t, &echoServer{name: "srv1"}, &echoServer{name: "srv2"})}
}

func startObsAppliance(t *testing.T, env obsEnv) {
	t.Helper()
	cfg := filepath.Join(env.Dir, "haappliance.toml")
	if err := os.WriteFile(cfg, render(t, "obs.toml.tmpl", env), 0o600); err != nil {
		t.Fatal(err)
	}
	startProcess(t, applianceBinary(t), "run", "-c", cfg, "--no-sysctl")
	waitPort(t, fmt.Sprintf("127.0.0.1:%d", env.Port), 5*time.Second)
	waitPort(t, fmt.Sprintf("127.0.0.1:%d", env.StatsPort), 5*time.Second)
}

func startObsHaproxy(t *testing.T, env obsEnv) {
	t.Helper()
	bin := needHaproxy(t)
	cfg := filepath.Join(env.Dir, "haproxy.cfg")
	if err := os.WriteFile(cfg, render(t, "obs.cfg.tmpl", env), 0o600); err != nil {
		t.Fatal(err)
	}
	startProcess(t, bin, "-db", "-f", cfg)
	waitPort(t, fmt.Sprintf("127.0.0.1:%d", env.Port), 5*time.Second)
}

// haproxyCommand sends one command to haproxy's stats socket, as `socat`
// would (socat itself is used in TestStatsCSVHeaderMatchesHaproxy).
func haproxyCommand(t *testing.T, sock, cmd string) string {
	t.Helper()
	c, err := net.DialTimeout("unix", sock, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, cmd+"\n")
	b, _ := io.ReadAll(c)
	return string(b)
}

func applianceCommand(t *testing.T, env obsEnv, cmd ...string) string {
	t.Helper()
	args := append([]string{"admin", "-S", filepath.Join(env.Dir, "admin.sock")}, cmd...)
	out, err := exec.Command(applianceBinary(t), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("haappliance %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func statsGet(t *testing.T, port int, path string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d%s", port, path), nil)
	req.SetBasicAuth("admin", "admin")
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// csvRows parses `show stat` CSV into rows keyed "pxname/svname" → column
// name → value.
func csvRows(t *testing.T, text string) ([]string, map[string]map[string]string) {
	t.Helper()
	text = strings.TrimPrefix(text, "# ")
	r := csv.NewReader(strings.NewReader(strings.TrimRight(text, "\n")))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("CSV: %v\n%s", err, text)
	}
	head := recs[0]
	rows := map[string]map[string]string{}
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, v := range rec {
			if i < len(head) {
				m[head[i]] = v
			}
		}
		rows[m["pxname"]+"/"+m["svname"]] = m
	}
	return head, rows
}

// serversOf sends n requests on new connections and counts the answers by
// server.
func serversOf(t *testing.T, port, n int) map[string]int {
	t.Helper()
	got := map[string]int{}
	for i := 0; i < n; i++ {
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(fmt.Sprintf("http://127.0.0.1:%d/x", port))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		got[resp.Header.Get("X-Server")]++
	}
	return got
}

// waitL7OK waits until both servers of b report their first passed check.
func waitL7OK(t *testing.T, show func() string) map[string]map[string]string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, rows := csvRows(t, show())
		if rows["b/srv1"]["check_status"] == "L7OK" && rows["b/srv2"]["check_status"] == "L7OK" {
			return rows
		}
		if time.Now().After(deadline) {
			t.Fatalf("checks not L7OK after 10s: %v", rows["b/srv1"])
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestStatsCSVHeaderMatchesHaproxy(t *testing.T) {
	socat, err := exec.LookPath("socat")
	if err != nil {
		t.Skip("socat not installed: `make deps` installs it (apt-get install socat)")
	}
	henv := newObsEnv(t, "127.0.0.1:9") // discard port: haproxy's log lines go nowhere
	startObsHaproxy(t, henv)
	cmd := exec.Command(socat, "-", "UNIX-CONNECT:"+filepath.Join(henv.Dir, "haproxy.sock"))
	cmd.Stdin = strings.NewReader("show stat\n")
	theirs, err := cmd.Output()
	if err != nil {
		t.Fatalf("socat: %v", err)
	}
	env := newObsEnv(t, "stderr")
	startObsAppliance(t, env)
	ours := applianceCommand(t, env, "show", "stat")

	theirHead, theirRows := csvRows(t, string(theirs))
	ourHead, ourRows := csvRows(t, ours)
	if len(theirHead) != len(ourHead) {
		t.Errorf("show stat: %d columns, haproxy has %d", len(ourHead), len(theirHead))
	}
	for i := range min(len(theirHead), len(ourHead)) {
		if theirHead[i] != ourHead[i] {
			t.Errorf("column %d: %q, haproxy has %q", i, ourHead[i], theirHead[i])
		}
	}
	// The same rows, in pxname/svname terms.
	for k := range theirRows {
		if ourRows[k] == nil {
			t.Errorf("row %s missing (haproxy has it)", k)
		}
	}
	if !strings.HasSuffix(ours, "\n\n") || !strings.HasSuffix(string(theirs), "\n\n") {
		t.Errorf("show stat must end with an empty line (ours %q, haproxy %q)", tail(ours), tail(string(theirs)))
	}
	// The page's ;csv has the same header.
	_, page := statsGet(t, env.StatsPort, "/stats;csv")
	if first, _, _ := strings.Cut(page, "\n"); first != strings.SplitN(string(theirs), "\n", 2)[0] {
		t.Errorf(";csv header differs from haproxy's:\n%s\n%s", first, strings.SplitN(string(theirs), "\n", 2)[0])
	}
}

func tail(s string) string { return s[max(0, len(s)-10):] }

func TestStatsCountersJSONMetricsAndAdmin(t *testing.T) {
	env := newObsEnv(t, "stderr")
	startObsAppliance(t, env)
	show := func() string { return applianceCommand(t, env, "show", "stat") }
	waitL7OK(t, show)
	bySrv := serversOf(t, env.Port, 6)
	_, rows := csvRows(t, show())
	for _, s := range []string{"srv1", "srv2"} {
		r := rows["b/"+s]
		if r["status"] != "UP" || r["check_status"] != "L7OK" || r["check_code"] != "200" {
			t.Errorf("b/%s: status %q check %q code %q", s, r["status"], r["check_status"], r["check_code"])
		}
		if r["stot"] != fmt.Sprint(bySrv[s]) {
			t.Errorf("b/%s: stot %s, it served %d", s, r["stot"], bySrv[s])
		}
	}
	if rows["fe/FRONTEND"]["req_tot"] != "6" || rows["b/BACKEND"]["stot"] != "6" {
		t.Errorf("frontend req_tot %s, backend stot %s", rows["fe/FRONTEND"]["req_tot"], rows["b/BACKEND"]["stot"])
	}
	if rows["empty/gone"]["status"] != "MAINT" {
		t.Errorf("disabled server status %q", rows["empty/gone"]["status"])
	}

	resp, body := statsGet(t, env.StatsPort, "/stats;json")
	var js []any
	if err := json.Unmarshal([]byte(body), &js); err != nil || resp.StatusCode != 200 || len(js) == 0 {
		t.Errorf(";json: %d %v", resp.StatusCode, err)
	}
	if out := applianceCommand(t, env, "show", "stat", "json"); json.Unmarshal([]byte(out), &js) != nil {
		t.Errorf("show stat json does not parse: %.200s", out)
	}
	if out := applianceCommand(t, env, "show", "info"); !strings.Contains(out, "Name: haappliance\n") || !strings.Contains(out, "CumReq: ") {
		t.Errorf("show info: %s", out)
	}

	resp, body = statsGet(t, env.StatsPort, "/metrics")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("/metrics content type %q", ct)
	}
	tp := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := tp.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics: %v", err)
	}
	labelled := 0
	for _, f := range fams {
		for _, m := range f.Metric {
			for _, l := range m.Label {
				if l.GetName() == "server" && l.GetValue() == "srv1" {
					labelled++
				}
			}
		}
	}
	if labelled == 0 {
		t.Errorf("no series with server=\"srv1\":\n%.1000s", body)
	}
	if noAuth, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", env.StatsPort)); err != nil || noAuth.StatusCode != 401 {
		t.Errorf("/metrics without auth: %v %v", noAuth, err)
	}

	// The runtime API changes balancing at once (cmd/haappliance/run_test.go
	// covers more states).
	applianceCommand(t, env, "disable", "server", "b/srv1")
	if got := serversOf(t, env.Port, 4); got["srv2"] != 4 {
		t.Errorf("after disable server b/srv1: %v", got)
	}
	applianceCommand(t, env, "enable", "server", "b/srv1")
	applianceCommand(t, env, "set", "weight", "b/srv2", "0")
	if got := serversOf(t, env.Port, 4); got["srv1"] != 4 {
		t.Errorf("after set weight b/srv2 0: %v", got)
	}
	out, _ := exec.Command(applianceBinary(t), "admin", "-S", filepath.Join(env.Dir, "admin.sock"), "show", "nonsense").CombinedOutput()
	if !strings.HasPrefix(string(out), "unknown command") {
		t.Errorf("unknown command answered %q", out)
	}
}

// readLines returns the lines of a file that contain substr.
func readLines(path, substr string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.Contains(sc.Text(), substr) {
			out = append(out, sc.Text())
		}
	}
	return out
}

// TestStatsPageInChromium renders the running binary's stats page in
// headless Chromium. Chromium cannot send basic-auth credentials given on
// its command line, so the test fetches the page with the Authorization
// header itself, writes it to a file and renders file://; the page is
// self-contained (inline CSS, no external resources). The screenshot is
// kept outside the tree as a test artefact and its path logged.
func TestStatsPageInChromium(t *testing.T) {
	chromiumtest.Need(t)
	env := newObsEnv(t, "stderr")
	startObsAppliance(t, env)
	waitL7OK(t, func() string { return applianceCommand(t, env, "show", "stat") })
	serversOf(t, env.Port, 4)
	applianceCommand(t, env, "set", "server", "b/srv2", "state", "drain")
	want := map[string]string{"srv1": "active_up", "srv2": "active_draining", "gone": "maintain"}

	resp, page := statsGet(t, env.StatsPort, "/stats")
	if resp.StatusCode != 200 || resp.Header.Get("Refresh") != "10" {
		t.Fatalf("stats page: %d, refresh %q", resp.StatusCode, resp.Header.Get("Refresh"))
	}
	dom := chromiumtest.Render(t, "haappliance-e2e-stats-", []byte(page))
	for name, class := range want {
		if tr := `<tr class="` + class + `" data-name="` + name + `">`; !strings.Contains(dom, tr) {
			t.Errorf("rendered DOM lacks %s", tr)
		}
	}
	for _, px := range []string{"fe", "b", "empty", "stats"} {
		if !strings.Contains(dom, `id="px-`+px+`"`) {
			t.Errorf("rendered DOM lacks the table of %s", px)
		}
	}
}
