package checks

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// readGolden returns the non-comment lines of a testdata file.
func readGolden(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	return lines
}

func TestServerTransitionGolden(t *testing.T) {
	ms := time.Millisecond
	rows := []ServerTransition{
		{Backend: "b1", Server: "s1", State: StateDown, Result: Result{Status: StatusL7Status, Code: 404, Info: "Not Found"}, ActiveLeft: 9},
		{Backend: "b1", Server: "s1", State: StateUp, Result: Result{Status: StatusL7OK, Code: 200}, ActiveLeft: 3},
		{Backend: "b1", Server: "s11", State: StateDown, Result: Result{Status: StatusL4Con, Info: "Connection refused"}, ActiveLeft: 10, BackupLeft: 1},
		{Backend: "b1", Server: "bk", Backup: true, State: StateDown, Result: Result{Status: StatusL4Con, Info: "Connection refused"}, ActiveLeft: 10},
		{Backend: "b4", Server: "s6", Backup: true, State: StateUp, Result: Result{Status: StatusL7OK, Code: 200}, ActiveLeft: 1, BackupLeft: 1},
		{Backend: "b1", Server: "s3", State: StateDown, Result: Result{Status: StatusL7Status, Code: 500, Info: `Internal "Server" Error`}, ActiveLeft: 8},
		{Backend: "b1", Server: "s4", State: StateDown, Result: Result{Status: StatusL7Status, Code: 503}, ActiveLeft: 7},
		{Backend: "b1", Server: "s5", State: StateDown, Result: Result{Status: StatusL7Response}, ActiveLeft: 6},
		{Backend: "b1", Server: "s7", State: StateDown, Result: Result{Status: StatusL7Timeout, Duration: 300*ms + 900*time.Microsecond}, ActiveLeft: 3},
		{Backend: "b3", Server: "s3", State: StateStopping, Result: Result{Status: StatusL7OKCond, Code: 404}, ActiveLeft: 1},
		{Backend: "b4", Server: "s5", State: StateDown, Result: Result{Status: StatusL7Status, Code: 301, Info: "Moved Permanently"}, BackupLeft: 1},
		{Backend: "b6", Server: "s1", State: StateDown, Result: Result{Status: StatusL4Timeout, Duration: 302 * ms}, ActiveLeft: 1},
		{Backend: "b9", Server: "s1", State: StateDown, Result: Result{Status: StatusSockErr, Info: "Connection reset by peer"}},
	}
	want := readGolden(t, "haproxy-2.6.12-transitions.txt")
	var got []string
	for _, r := range rows {
		got = append(got, r.String())
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("lines differ from HAProxy's (-want +got):\n%s", d)
	}
}

func TestServerTransitionSpecLines(t *testing.T) {
	// The two examples of SPEC §9.1, word for word.
	tests := []struct {
		in   ServerTransition
		want string
	}{
		{
			ServerTransition{Backend: "ms1", Server: "ms1.srv1", State: StateDown,
				Result: Result{Status: StatusL7Status, Code: 404, Info: "Not Found", Duration: time.Millisecond}, ActiveLeft: 1},
			`Server ms1/ms1.srv1 is DOWN, reason: Layer7 wrong status, code: 404, info: "Not Found", check duration: 1ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`,
		},
		{
			ServerTransition{Backend: "ms1", Server: "ms1.srv1", State: StateUp,
				Result: Result{Status: StatusL7OK, Code: 200}, ActiveLeft: 2},
			`Server ms1/ms1.srv1 is UP, reason: Layer7 check passed, code: 200, check duration: 0ms. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.`,
		},
		{
			ServerTransition{Backend: "ms1", Server: "ms1.srv2", State: StateDown, Cause: "changed from CLI",
				SessionsActive: 4, Requeued: 2, Queued: 1},
			`Server ms1/ms1.srv2 is DOWN, changed from CLI. 0 active and 0 backup servers left. 4 sessions active, 2 requeued, 1 remaining in queue.`,
		},
		{
			ServerTransition{Backend: "ms1", Server: "ms1.srv2", State: StateUp, Requeued: 5, Queued: 3, BackupLeft: 1},
			`Server ms1/ms1.srv2 is UP. 0 active and 1 backup servers online. Running on backup. 5 sessions requeued, 3 total in queue.`,
		},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, tt.in.String()); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	}
}

func TestBackendEmpty(t *testing.T) {
	tests := []struct {
		in   BackendEmpty
		want string
	}{
		{BackendEmpty{Backend: "ms1"}, "backend 'ms1' has no server available!"},
		{BackendEmpty{Backend: "tcp-in", Listen: true}, "proxy 'tcp-in' has no server available!"},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, tt.in.String()); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	}
}

func BenchmarkServerTransitionAppend(b *testing.B) {
	b.ReportAllocs()
	tr := ServerTransition{Backend: "ms1", Server: "ms1.srv1", State: StateDown,
		Result: Result{Status: StatusL7Status, Code: 404, Info: "Not Found", Duration: time.Millisecond}, ActiveLeft: 1}
	buf := make([]byte, 0, 512)
	for b.Loop() {
		buf = tr.AppendTo(buf[:0])
	}
}
