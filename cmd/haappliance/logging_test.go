package main

import (
	"fmt"
	"haappliance/internal/rsyslogtest"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// udpSink receives syslog datagrams on loopback.
func udpSink(t *testing.T) (addr string, recv func() string) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc.LocalAddr().String(), func() string {
		pc.SetReadDeadline(time.Now().Add(5 * time.Second))
		b := make([]byte, 4096)
		n, _, err := pc.ReadFrom(b)
		if err != nil {
			t.Fatalf("no syslog datagram: %v", err)
		}
		return string(b[:n])
	}
}

func TestSyslogSeveritiesAndFacility(t *testing.T) {
	addr, recv := udpSink(t)
	log, closeLog := newLogger([]LogTarget{{Address: "udp://" + addr, Facility: "local0", Level: "info"}}, io.Discard)
	defer closeLog()

	cases := []struct {
		emit func()
		pri  int
		msg  string
	}{
		{func() { log.Warn("VRRP_Instance(VI_1) Entering MASTER STATE (priority 103, reason: test)") }, 16*8 + 4,
			"VRRP_Instance(VI_1) Entering MASTER STATE (priority 103, reason: test)"},
		{func() { log.WithField(SeverityField, "notice").Info("priority change") }, 16*8 + 5, "priority change"},
		{func() { log.WithField(SeverityField, "alert").Error("split brain") }, 16*8 + 1, "split brain"},
		{func() { log.Info("request line") }, 16*8 + 6, "request line"},
	}
	line := regexp.MustCompile(`^<(\d+)>\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ haappliance\[\d+\]: (.*)\n?$`)
	for _, c := range cases {
		c.emit()
		got := recv()
		m := line.FindStringSubmatch(got)
		if m == nil {
			t.Fatalf("datagram %q is not RFC 3164 with tag haappliance", got)
		}
		if m[1] != fmt.Sprint(c.pri) || m[2] != c.msg {
			t.Errorf("got <%s> %q, want <%d> %q", m[1], m[2], c.pri, c.msg)
		}
	}
	// Below the target's level: dropped. The next datagram is the warning.
	log.Debug("not sent")
	log.Warn("sent")
	if got := recv(); !strings.HasSuffix(strings.TrimSpace(got), "haappliance["+fmt.Sprint(os.Getpid())+"]: sent") {
		t.Errorf("after a debug entry the target got %q", got)
	}
}

func TestSyslogLevelFilterPerTarget(t *testing.T) {
	addr, recv := udpSink(t)
	log, closeLog := newLogger([]LogTarget{{Address: "udp://" + addr, Facility: "local1", Level: "warning"}}, io.Discard)
	defer closeLog()
	log.Info("info: dropped by this target")
	log.WithField(SeverityField, "notice").Info("notice: dropped too")
	log.Warn("warning: kept")
	got := recv()
	if !strings.HasPrefix(got, fmt.Sprintf("<%d>", 17*8+4)) || !strings.Contains(got, "warning: kept") {
		t.Errorf("local1/warning target got %q first", got)
	}
}

// TestRsyslogReceivesAlertLines runs a real rsyslogd (Debian's package) with
// a UDP input on loopback and checks the stored line.
func TestRsyslogReceivesAlertLines(t *testing.T) {
	rsyslogd := rsyslogtest.Binary(t)
	port := freeUDPPort(t)
	args, out := rsyslogtest.Config(t, "127.0.0.1", port, rsyslogtest.Raw)
	cmd := exec.Command(rsyslogd, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()

	log, closeLog := newLogger([]LogTarget{{Address: fmt.Sprintf("udp://127.0.0.1:%d", port), Facility: "local0", Level: "info"}}, io.Discard)
	defer closeLog()
	want := "VRRP_Instance(VI_1) Entering MASTER STATE (priority 103, reason: rsyslog test)"
	deadline := time.Now().Add(10 * time.Second)
	for {
		// rsyslogd may not listen yet: resend until the line is stored.
		log.Warn(want)
		b, _ := os.ReadFile(out)
		if strings.Contains(string(b), want) {
			if !strings.HasPrefix(string(b), "<132>") || !strings.Contains(string(b), "haappliance[") {
				t.Errorf("rsyslog stored %q; want <132> and tag haappliance", b)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("rsyslogd stored nothing in 10s; its stderr: %s", stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freeUDPPort(t *testing.T) int {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	return pc.LocalAddr().(*net.UDPAddr).Port
}
