package proxy

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"haappliance/proxy/proxytest"
)

// TestIdleMemBreakdown is a measuring tool, not a check: with
// IDLEMEM_CONNS=N set it holds N idle keep-alive connections from a
// separate process (bench/idlemem, so that the clients' sockets and
// buffers are not in this heap) and prints what they cost this process
// per connection: VmRSS, the Go heap and stacks, the runtime's metadata,
// and, with IDLEMEM_PROFILE=FILE, an in-use heap profile to read with
// `go tool pprof -sample_index=inuse_space FILE`.
//
//	IDLEMEM_CONNS=9000 go test -run TestIdleMemBreakdown -v ./proxy
func TestIdleMemBreakdown(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("IDLEMEM_CONNS"))
	if n <= 0 || goruntime.GOOS != "linux" {
		t.Skip("a measurement: set IDLEMEM_CONNS=9000 (Linux)")
	}
	if os.Getenv("IDLEMEM_PROFILE") != "" {
		goruntime.MemProfileRate = 1 // every allocation (only for this measurement)
	}
	tool := filepath.Join(t.TempDir(), "idlemem")
	if out, err := exec.Command("go", "build", "-o", tool, "haappliance/bench/idlemem").CombinedOutput(); err != nil {
		t.Fatalf("building bench/idlemem: %v\n%s", err, out)
	}
	backend := startHelperBackend(t)
	cfg := fmt.Sprintf(`
[defaults]
mode = "http"
option = ["http-keep-alive"]
timeout = { connect = "5s", client = "30s", server = "30s" }
[frontend.fe]
bind = ["127.0.0.1:0"]
maxconn = %d
default_backend = "be"
[backend.be]
server = [ { name = "s1", address = "{{s1}}", maxconn = %d } ]
`, n+500, n+500)
	p, addr := startProxy(t, cfg, "fe", map[string]string{"s1": backend})

	time.Sleep(500 * time.Millisecond) // as bench/run.sh: let the process settle
	before := memNow()
	ready := filepath.Join(t.TempDir(), "ready")
	cmd := exec.Command(tool, "-addr", addr, "-n", strconv.Itoa(n), "-hold", "60s", "-ready", ready)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = stdin.Close() // idlemem ends when its standard input does
		_ = cmd.Wait()
	}()
	waitForN(t, 60*time.Second, func() bool { b, _ := os.ReadFile(ready); return len(b) > 0 })
	waitForN(t, 10*time.Second, func() bool { return p.parker.parkedCount() == n })
	time.Sleep(2 * time.Second) // as bench/run.sh
	after := memNow()
	per := func(a, b uint64) string { return fmt.Sprintf("%8.0f", (float64(a)-float64(b))/float64(n)) }
	t.Logf("parked %d of %d (%d detached)", p.parker.parkedCount(), n, p.parker.detachedCount())
	t.Logf("bytes per connection, after - before (no forced GC):")
	t.Logf("  VmRSS              %s", per(after.rss, before.rss))
	t.Logf("  HeapInuse          %s", per(after.ms.HeapInuse, before.ms.HeapInuse))
	t.Logf("  HeapAlloc          %s", per(after.ms.HeapAlloc, before.ms.HeapAlloc))
	t.Logf("  HeapIdle-Released  %s", per(after.ms.HeapIdle-after.ms.HeapReleased, before.ms.HeapIdle-before.ms.HeapReleased))
	t.Logf("  StackInuse         %s", per(after.ms.StackInuse, before.ms.StackInuse))
	t.Logf("  runtime metadata   %s", per(after.ms.MSpanInuse+after.ms.MCacheInuse+after.ms.BuckHashSys+after.ms.GCSys+after.ms.OtherSys,
		before.ms.MSpanInuse+before.ms.MCacheInuse+before.ms.BuckHashSys+before.ms.GCSys+before.ms.OtherSys))
	t.Logf("    MSpanInuse       %s", per(after.ms.MSpanInuse, before.ms.MSpanInuse))
	t.Logf("    GCSys            %s", per(after.ms.GCSys, before.ms.GCSys))
	t.Logf("    OtherSys         %s", per(after.ms.OtherSys, before.ms.OtherSys))
	t.Logf("    BuckHashSys      %s", per(after.ms.BuckHashSys, before.ms.BuckHashSys))
	t.Logf("  Sys                %s", per(after.ms.Sys, before.ms.Sys))
	t.Logf("  goroutines         %d -> %d", before.goroutines, after.goroutines)
	goruntime.GC()
	live := memNow()
	t.Logf("  live heap after GC %s  (HeapAlloc)", per(live.ms.HeapAlloc, before.ms.HeapAlloc))
	t.Logf("  VmRSS after GC     %s", per(live.rss, before.rss))
	debug.FreeOSMemory()
	t.Logf("  VmRSS after FreeOSMemory %s", per(memNow().rss, before.rss))
	if f := os.Getenv("IDLEMEM_PROFILE"); f != "" {
		out, err := os.Create(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.Lookup("heap").WriteTo(out, 0); err != nil {
			t.Fatal(err)
		}
		_ = out.Close()
	}
}

type memSample struct {
	rss        uint64
	ms         goruntime.MemStats
	goroutines int
}

func memNow() memSample {
	var s memSample
	goruntime.ReadMemStats(&s.ms)
	s.goroutines = goruntime.NumGoroutine()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return s
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			s.rss = kb << 10
		}
	}
	return s
}

func waitForN(t *testing.T, limit time.Duration, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(limit); time.Now().Before(end); {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("timed out")
}

// TestIdleMemBackendHelper is the backend of TestIdleMemBreakdown, run in
// a child process (its connections and goroutines must not be counted).
func TestIdleMemBackendHelper(t *testing.T) {
	out := os.Getenv("IDLEMEM_BACKEND_ADDR")
	if out == "" {
		t.Skip("helper process of TestIdleMemBreakdown")
	}
	b := proxytest.NewBackend(t, "s1")
	if err := os.WriteFile(out, []byte(b.Addr()), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent ends
}

// startHelperBackend runs TestIdleMemBackendHelper in a child process and
// returns its address.
func startHelperBackend(t *testing.T) string {
	addrFile := filepath.Join(t.TempDir(), "backend")
	cmd := exec.Command(os.Args[0], "-test.run=^TestIdleMemBackendHelper$")
	cmd.Env = append(os.Environ(), "IDLEMEM_BACKEND_ADDR="+addrFile)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	var addr []byte
	waitForN(t, 10*time.Second, func() bool { addr, _ = os.ReadFile(addrFile); return len(addr) > 0 })
	return string(addr)
}
