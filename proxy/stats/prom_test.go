package stats

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testSnapshot is the seed scenario with servers in every state.
func testSnapshot() Snapshot {
	now := time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC)
	chk := func(st string, code int) *Check {
		return &Check{Status: st, Code: code, Duration: 2 * time.Millisecond, Rise: 2, Fall: 3, Health: 4}
	}
	srv := func(id int, name, status string, c *Check) Server {
		return Server{Name: name, ID: id, Status: status, Addr: "198.18.1.2" + string(rune('0'+id)) + ":8080", Cookie: name,
			Weight: 1, UWeight: 1, MaxConn: 300, LastChange: now.Add(-90 * time.Second), Check: c,
			Counters: Counters{SessCur: 1, SessMax: 4, SessTotal: 42, BytesIn: 1000, BytesOut: 20000, Requests: 42,
				Responses: [6]uint64{0, 40, 0, 1, 1, 0}}}
	}
	return Snapshot{
		Info: Info{Version: "0.1.0", Pid: 4242, Start: now.Add(-time.Hour), Now: now, Maxconn: 30000, CurrConns: 3, CumConns: 100, CumReq: 120},
		Proxies: []Proxy{
			{Name: "http-in", ID: 2, Mode: "http", Frontend: &Frontend{Status: "OPEN", MaxConn: 30000, ConnTotal: 100,
				Counters: Counters{SessCur: 3, SessTotal: 100, Requests: 120, Responses: [6]uint64{0, 110, 5, 3, 2, 0}}}},
			{Name: "ms1", ID: 3, Mode: "http", Servers: []Server{
				srv(1, "ms1.srv1", "UP", chk("L7OK", 200)),
				srv(2, "ms1.srv2", "DOWN", chk("L7STS", 404)),
				srv(3, "ms1.srv3", "UP 2/3", chk("L7TOUT", 0)),
				srv(4, "ms1.srv4", "DOWN 1/2", chk("L7OK", 200)),
				srv(5, "ms1.srv5", "DRAIN", chk("L7OK", 200)),
				srv(6, "ms1.srv6", "MAINT", chk("L7OK", 200)),
				srv(7, "ms1.srv7", "no check", nil),
			}, Backend: &Backend{Status: "UP", Algo: "roundrobin", Cookie: "HA_STICKY_ms1", Active: 3, Weight: 3, UWeight: 7,
				Counters: Counters{SessTotal: 200, Requests: 200, Responses: [6]uint64{0, 190, 0, 5, 5, 0}}}},
			{Name: "tcp-in", ID: 4, Mode: "tcp", Frontend: &Frontend{Status: "OPEN"},
				Servers: []Server{func() Server { s := srv(1, "def.srv1", "UP", chk("L4OK", 0)); s.Backup = true; return s }()},
				Backend: &Backend{Status: "UP", Backup: 1, Weight: 1}},
		},
	}
}

func testVRRP() []VRRPInstance {
	return []VRRPInstance{{Name: "VI_1", State: VRRPMaster, BasePriority: 101, EffectivePriority: 103, Transitions: 2,
		Dropped: map[string]uint64{"ttl": 3, "checksum": 1}}}
}

func TestMetricsText(t *testing.T) {
	snap := testSnapshot()
	m := Metrics{Snapshot: func() Snapshot { return snap }, VRRP: testVRRP}
	out := string(m.Bytes())
	for _, want := range []string{
		"# TYPE haappliance_server_up gauge\n",
		`haappliance_server_up{proxy="ms1",server="ms1.srv1"} 1` + "\n",
		`haappliance_server_up{proxy="ms1",server="ms1.srv2"} 0` + "\n",
		`haappliance_server_up{proxy="ms1",server="ms1.srv6"} 0` + "\n",
		`haappliance_server_up{proxy="ms1",server="ms1.srv7"} 1` + "\n",
		`haappliance_server_check_status{proxy="ms1",server="ms1.srv2",status="L7STS"} 1` + "\n",
		`haappliance_frontend_http_responses_total{proxy="http-in",code="2xx"} 110` + "\n",
		`haappliance_server_sessions_total{proxy="ms1",server="ms1.srv1"} 42` + "\n",
		`haappliance_backend_up{proxy="ms1"} 1` + "\n",
		`haappliance_vrrp_state{instance="VI_1"} 2` + "\n",
		`haappliance_vrrp_effective_priority{instance="VI_1"} 103` + "\n",
		`haappliance_vrrp_transitions_total{instance="VI_1"} 2` + "\n",
		`haappliance_vrrp_packets_dropped_total{instance="VI_1",reason="checksum"} 1` + "\n",
		`haappliance_vrrp_packets_dropped_total{instance="VI_1",reason="ttl"} 3` + "\n",
		"# TYPE haappliance_vrrp_packets_dropped_total counter\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// Every family's samples follow its own HELP/TYPE lines (families are
	// not interleaved), and every line is a comment or a sample.
	seen := map[string]bool{}
	current := ""
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			current = strings.Fields(name)[0]
			if seen[current] {
				t.Errorf("family %s appears twice", current)
			}
			seen[current] = true
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		name, _, _ := strings.Cut(line, "{")
		name, _, _ = strings.Cut(name, " ")
		if name != current {
			t.Errorf("sample %q outside its family %q", line, current)
		}
	}
}

func TestLabelEscaping(t *testing.T) {
	got := string(appendEscapedLabel(nil, "a\"b\\c\nd"))
	if diff := cmp.Diff(`a\"b\\c\nd`, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
