package e2e

import (
	"fmt"
	"haappliance/internal/rsyslogtest"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// startHTTPLogRsyslog runs a private rsyslogd receiving UDP syslog on a loopback
// port and storing local0 as "TAG|MSG" lines in a file. It returns the port
// and the file.
func startHTTPLogRsyslog(t *testing.T) (int, string) {
	t.Helper()
	port := freeUDPPort(t)
	args, out := rsyslogtest.Config(t, "127.0.0.1", port, "%syslogseverity-text%|%syslogtag%|%msg%\n")
	startProcess(t, rsyslogtest.Binary(t), args...)
	return port, out
}

// httplogScenario sends the same requests to a proxy of the obs scenario:
// a new cookie, a valid cookie, a backend without server (503 <NOSRV>), a
// malformed request (400 <BADREQ>) and an unfinished one (408).
func httplogScenario(t *testing.T, port int) {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	c := dial(t, addr)
	c.roundTrip("GET", "GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n")
	c.roundTrip("GET", "GET /b HTTP/1.1\r\nHost: h\r\nCookie: SRV=srv1\r\n\r\n")
	c.roundTrip("GET", "GET /nobe HTTP/1.1\r\nHost: h\r\n\r\n")
	c.c.Close()
	time.Sleep(50 * time.Millisecond) // keep the lines in order across connections
	c = dial(t, addr)
	c.roundTrip("GET", "GARBAGE\r\n\r\n")
	c.c.Close()
	time.Sleep(50 * time.Millisecond)
	c = dial(t, addr)
	c.roundTrip("GET", "GET /slow HTTP/1.1\r\n") // timeout http-request (1s): 408
	c.c.Close()
}

// maskHTTPLog masks what differs between runs in an httplog line: the
// client port, the date, and timers other than -1.
var (
	reHTTPLog = regexp.MustCompile(`^(\S+):(\d+) \[([^\]]+)\] (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (".*")$`)
	reTimer   = regexp.MustCompile(`\d+`)
)

func httplogFields(t *testing.T, line string) []string {
	t.Helper()
	m := reHTTPLog.FindStringSubmatch(line)
	if m == nil {
		t.Errorf("not an httplog line: %q", line)
		return nil
	}
	if !regexp.MustCompile(`^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d\.\d{3}$`).MatchString(m[3]) {
		t.Errorf("date %q not in HAProxy's format", m[3])
	}
	f := m[1:]
	f[1], f[2] = "PORT", "DATE"
	// %B: HAProxy counts its internal (HTX) representation of a response,
	// which differs from the bytes on the wire that haappliance counts, so
	// only "nothing sent" (0, as HAProxy logs 400/408 of a bad request) and
	// "something sent" are compared.
	if f[7] != "0" {
		f[7] = "SOME"
	}
	f[5] = reTimer.ReplaceAllString(f[5], "N") // -1 stays "-N": reached or not is compared
	return f
}

var fieldNames = []string{"client", "port", "date", "frontend", "backend/server", "timers", "status",
	"bytes", "req_cookie", "resp_cookie", "termination_state", "conns", "queues", "request"}

func TestHTTPLogMatchesHaproxyThroughRsyslog(t *testing.T) {
	needHaproxy(t)
	port, file := startHTTPLogRsyslog(t)

	henv := newObsEnv(t, fmt.Sprintf("127.0.0.1:%d", port))
	startObsHaproxy(t, henv)
	env := newObsEnv(t, fmt.Sprintf("udp://127.0.0.1:%d", port))
	startObsAppliance(t, env)
	// rsyslogd may still be starting: wait for a first line of each.
	deadline := time.Now().Add(10 * time.Second)
	for len(readLines(file, "haproxy[")) == 0 || len(readLines(file, "haappliance[")) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("rsyslogd stored nothing from both in 10s: %q", readLines(file, ""))
		}
		c := dial(t, fmt.Sprintf("127.0.0.1:%d", henv.Port))
		c.roundTrip("GET", "GET /warmup HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
		c = dial(t, fmt.Sprintf("127.0.0.1:%d", env.Port))
		c.roundTrip("GET", "GET /warmup HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
		time.Sleep(100 * time.Millisecond)
	}
	before := map[string]int{"haproxy[": len(readLines(file, "haproxy[")), "haappliance[": len(readLines(file, "haappliance["))}
	httplogScenario(t, henv.Port)
	httplogScenario(t, env.Port)

	const want = 5
	lines := func(tag string) []string {
		var out []string
		for _, l := range readLines(file, tag)[before[tag]:] {
			sev, rest, _ := strings.Cut(l, "|")
			_, msg, _ := strings.Cut(rest, "|")
			if sev != "info" {
				t.Errorf("%s line at severity %s: %q", tag, sev, l)
			}
			out = append(out, strings.TrimSpace(msg))
		}
		return out
	}
	deadline = time.Now().Add(10 * time.Second)
	var theirs, ours []string
	for {
		theirs, ours = lines("haproxy["), lines("haappliance[")
		if len(theirs) >= want && len(ours) >= want || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(theirs) != want || len(ours) != want {
		t.Fatalf("got %d lines from haproxy and %d from haappliance, want %d each:\n%s\n--\n%s",
			len(theirs), len(ours), want, strings.Join(theirs, "\n"), strings.Join(ours, "\n"))
	}
	for i := range want {
		tf, of := httplogFields(t, theirs[i]), httplogFields(t, ours[i])
		if tf == nil || of == nil {
			continue
		}
		for j := range fieldNames {
			if tf[j] != of[j] {
				t.Errorf("line %d field %s: %q, haproxy has %q\n ours:    %s\n haproxy: %s", i, fieldNames[j], of[j], tf[j], ours[i], theirs[i])
			}
		}
	}
	if t.Failed() {
		t.Log(cmp.Diff(theirs, ours))
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
