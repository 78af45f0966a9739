package e2e

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"
)

// The haappliance binary is built once, on first use, into a temp folder.
var (
	buildOnce sync.Once
	buildDir  string
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// applianceBinary returns the path of a freshly built haappliance.
func applianceBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		if bin := os.Getenv("HAAPPLIANCE_E2E_BIN"); bin != "" {
			binPath = bin // a prebuilt binary (bench/soak.sh, or a tree being edited)
			return
		}
		buildDir, buildErr = os.MkdirTemp("", "haappliance-e2e-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "haappliance")
		_, file, _, _ := runtime.Caller(0)
		build := exec.Command("go", "build", "-o", binPath, "./cmd/haappliance")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		build.Dir = filepath.Dir(filepath.Dir(file))
		out, err := build.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitPort waits until something accepts on addr, or fails the test.
func waitPort(t testing.TB, addr string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on %s after %v: %v", addr, d, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// render executes a template file of testdata with data.
func render(t testing.TB, name string, data any) []byte {
	t.Helper()
	tm, err := template.ParseFiles(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tm.Execute(&b, data); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// logBuffer collects a process's output for later assertions.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// process is a child we started; Stop kills it by its own PID.
type process struct {
	cmd  *exec.Cmd
	logs *logBuffer
	done chan struct{}
}

func startProcess(t testing.TB, name string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(name, args...), logs: &logBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, p.logs.String())
		}
	})
	return p
}

// Stop sends SIGTERM, then SIGKILL after 5 s, and waits.
func (p *process) Stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

func needHaproxy(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("haproxy")
	if err != nil {
		for _, p := range []string{"/usr/sbin/haproxy", "/usr/local/sbin/haproxy"} {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
		t.Skip("haproxy not installed: `make test` installs it as root on Debian (apt-get install haproxy)")
	}
	return path
}

// echoServer is a backend that says who it is and what it saw.
type echoServer struct {
	name  string
	delay time.Duration
}

func (e *echoServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthCheck.html" {
		io.WriteString(w, "OK\n")
		return
	}
	if e.delay > 0 {
		time.Sleep(e.delay)
	}
	body, _ := io.ReadAll(r.Body)
	var hs []string
	for _, k := range []string{"Cookie", "X-Forwarded-For", "Transfer-Encoding", "Content-Length", "Expect", "X-Test"} {
		if v, ok := r.Header[k]; ok {
			hs = append(hs, k+"="+strings.Join(v, "|"))
		}
	}
	sort.Strings(hs)
	w.Header().Set("X-Server", e.name)
	if r.URL.Query().Has("setcache") {
		w.Header().Set("Cache-Control", "max-age=60")
	}
	fmt.Fprintf(w, "Hello! This is %s!\nmethod=%s uri=%s proto=%s\n%s\nbody=%d sha=%x\n",
		e.name, r.Method, r.RequestURI, r.Proto, strings.Join(hs, "\n"), len(body), sha256.Sum256(body))
}

// startEcho starts the named echo servers on loopback and returns their ports.
func startEcho(t testing.TB, servers ...*echoServer) []int {
	t.Helper()
	ports := make([]int, len(servers))
	for i, e := range servers {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = ln.Addr().(*net.TCPAddr).Port
		s := &http.Server{Handler: e}
		go s.Serve(ln)
		t.Cleanup(func() { s.Close() })
	}
	return ports
}
