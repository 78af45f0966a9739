package checks

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestStatusNames(t *testing.T) {
	type row struct {
		Short, Desc     string
		Passed, HasCode bool
	}
	want := map[Status]row{
		StatusUnknown:    {"UNK", "Unknown", false, false},
		StatusSockErr:    {"SOCKERR", "Socket error", false, false},
		StatusL4OK:       {"L4OK", "Layer4 check passed", true, false},
		StatusL4Timeout:  {"L4TOUT", "Layer4 timeout", false, false},
		StatusL4Con:      {"L4CON", "Layer4 connection problem", false, false},
		StatusL7Timeout:  {"L7TOUT", "Layer7 timeout", false, false},
		StatusL7Response: {"L7RSP", "Layer7 invalid response", false, false},
		StatusL7OK:       {"L7OK", "Layer7 check passed", true, true},
		StatusL7OKCond:   {"L7OKC", "Layer7 check conditionally passed", true, true},
		StatusL7Status:   {"L7STS", "Layer7 wrong status", false, true},
		Status(200):      {"UNK", "Unknown", false, false},
	}
	got := map[Status]row{}
	for s := range want {
		got[s] = row{s.String(), s.Description(), s.Passed(), s.HasCode()}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if StatusUnknown.Failed() || StatusL7OK.Failed() || !StatusL7Status.Failed() {
		t.Error("Failed() wrong")
	}
}

func TestResultReason(t *testing.T) {
	tests := []struct {
		in   Result
		want string
	}{
		{Result{Status: StatusL4OK, Duration: 1500 * time.Microsecond}, "reason: Layer4 check passed, check duration: 1ms"},
		{Result{Status: StatusL7OK, Code: 200}, "reason: Layer7 check passed, code: 200, check duration: 0ms"},
		{Result{Status: StatusL7Status, Code: 404, Info: "Not Found", Duration: 2 * time.Millisecond},
			`reason: Layer7 wrong status, code: 404, info: "Not Found", check duration: 2ms`},
		{Result{Status: StatusL7Status, Code: 500, Info: "a<b>\"c\"\x01\xff"},
			`reason: Layer7 wrong status, code: 500, info: "a<3C>b<3E><22>c<22><01><FF>", check duration: 0ms`},
		{Result{Status: StatusL4Timeout, Duration: -1}, "reason: Layer4 timeout"},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, tt.in.Reason()); d != "" {
			t.Errorf("%+v (-want +got):\n%s", tt.in, d)
		}
	}
}

func TestInfoTruncated(t *testing.T) {
	long := make([]byte, 300)
	for i := range long {
		long[i] = 'x'
	}
	got := appendASCIIEncoded(nil, string(long), '"')
	if len(got) != maxInfo {
		t.Errorf("len = %d, want %d", len(got), maxInfo)
	}
}

func TestStrerror(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{syscall.ECONNREFUSED, "Connection refused"},
		{fmt.Errorf("dial: %w", syscall.ECONNRESET), "Connection reset by peer"},
		{syscall.ENETUNREACH, "Network is unreachable"},
		{fmt.Errorf("plain"), ""},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, strerror(tt.err)); d != "" {
			t.Errorf("%v (-want +got):\n%s", tt.err, d)
		}
	}
}
