package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"

	"haappliance/proxy"
)

func TestSplitArgs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  bool
	}{
		{in: "/bin/check", want: []string{"/bin/check"}},
		{in: "  /bin/check  a\tb ", want: []string{"/bin/check", "a", "b"}},
		{in: `/bin/check "two words" 'single $x' a\ b`, want: []string{"/bin/check", "two words", "single $x", "a b"}},
		{in: `/bin/check ""`, want: []string{"/bin/check", ""}},
		{in: `/bin/check "open`, err: true},
		{in: `/bin/check \`, err: true},
		{in: "   ", err: true},
	} {
		got, err := splitArgs(tc.in)
		if (err != nil) != tc.err {
			t.Errorf("splitArgs(%q) error %v, want error %v", tc.in, err, tc.err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" && !tc.err {
			t.Errorf("splitArgs(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func quietLog() *logrus.Entry {
	l := logrus.New()
	l.SetOutput(discardWriter{})
	return logrus.NewEntry(l)
}

type discardWriter struct{}

func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// TestTrackRiseFall drives a runner with scripted results under synctest:
// the first result is reported at once, later changes after fall failures
// or rise successes in a row.
func TestTrackRiseFall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		results := []bool{true, false, false, true, false, false, false, true, true, true, true}
		var mu sync.Mutex
		i := 0
		var reports []bool
		r := &trackRunner{instance: "VI_1", kind: "script", target: "x", interval: time.Second, rise: 2, fall: 3,
			probe: func(context.Context) error {
				mu.Lock()
				defer mu.Unlock()
				ok := i >= len(results) || results[i]
				i++
				if ok {
					return nil
				}
				return errors.New("fail")
			},
			report: func(ok bool) { mu.Lock(); reports = append(reports, ok); mu.Unlock() },
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { r.run(ctx, quietLog()); close(done) }()
		time.Sleep(time.Duration(len(results)) * time.Second)
		synctest.Wait()
		cancel()
		<-done
		// results: T (report true) F F T F F F (3rd fail: report false) T T (2nd ok: report true) T T
		if diff := cmp.Diff([]bool{true, false, true}, reports); diff != "" {
			t.Errorf("reports (-want +got):\n%s", diff)
		}
	})
}

// TestFrontendProbeDisabled runs a real proxy on port 0: the probe holds
// while the frontend answers and fails once it is disabled (the engine
// then closes accepted connections: no status line).
func TestFrontendProbeDisabled(t *testing.T) {
	srv, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	go http.Serve(srv, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	f, err := ParseFile("t.toml", []byte(`[global]
control_socket = "/nonexistent/admin.sock"
[defaults]
mode = "http"
timeout = { connect = "500ms", client = "2s", server = "2s" }
[frontend.fe]
bind = ["127.0.0.1:0"]
default_backend = "be"
[frontend.tcpfe]
bind = ["127.0.0.1:0"]
mode = "tcp"
default_backend = "betcp"
[backend.be]
server = [ { name = "s1", address = "`+srv.Addr().String()+`" } ]
[backend.betcp]
mode = "tcp"
server = [ { name = "s1", address = "`+srv.Addr().String()+`" } ]
`))
	if err != nil {
		t.Fatal(err)
	}
	px, err := proxy.New(&f.Config, proxy.Options{Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	if err := px.Start(); err != nil {
		t.Fatal(err)
	}
	defer px.Shutdown(context.Background())
	for _, name := range []string{"fe", "tcpfe"} {
		probe := frontendProbe(px, name, time.Second)
		if err := probe(context.Background()); err != nil {
			t.Fatalf("%s enabled: %v", name, err)
		}
		px.SetFrontendEnabled(name, false)
		if err := probe(context.Background()); err == nil {
			t.Fatalf("%s disabled: probe holds", name)
		}
		px.SetFrontendEnabled(name, true)
		if err := probe(context.Background()); err != nil {
			t.Fatalf("%s enabled again: %v", name, err)
		}
	}
	if err := frontendProbe(px, "nope", time.Second)(context.Background()); err == nil {
		t.Error("unknown frontend: probe holds")
	}
}

func TestBackendUpAndShowVRRPEmpty(t *testing.T) {
	a := &appliance{}
	if got := a.showVRRP(true); got != `{"instances":[],"total":{"transitions":0,"adverts_sent":0,"adverts_received":0,"send_errors":0,"dropped":{}}}` {
		t.Errorf("show vrrp json without VRRP: %s", got)
	}
	if got := a.vrrpStatus(); len(got) != 0 {
		t.Errorf("vrrpStatus without VRRP: %v", got)
	}
}
