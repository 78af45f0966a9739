package e2e

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Security checks of SPEC §8/§9.4 and issue 11: the control socket's
// mode and owner, constant-time credential comparison, the privilege drop,
// and no secret in any log line or `check` output.

// TestSecurityControlSocket: the control socket is mode 0600 and owned by
// the user that started the daemon (root in production).
func TestSecurityControlSocket(t *testing.T) {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	stats := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	rec := startRecorder(t)
	// A permissive umask must not leak into the socket's mode.
	old := syscall.Umask(0)
	d := startDaemon(t, abuseConfig(100, addr, stats, rec.addr()), addr)
	syscall.Umask(old)
	deadline := time.Now().Add(5 * time.Second)
	var st os.FileInfo
	var err error
	for {
		if st, err = os.Stat(d.socket); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("control socket: %v", err)
	}
	if st.Mode().Type() != os.ModeSocket {
		t.Errorf("%s is %v, not a socket", d.socket, st.Mode().Type())
	}
	if perm := st.Mode().Perm(); perm != 0o600 {
		t.Errorf("control socket mode %o, want 600", perm)
	}
	sys := st.Sys().(*syscall.Stat_t)
	if int(sys.Uid) != os.Geteuid() {
		t.Errorf("control socket owner uid %d, want %d (the starting user)", sys.Uid, os.Geteuid())
	}
	if os.Geteuid() != 0 {
		t.Logf("not root: owner checked against uid %d instead of 0", os.Geteuid())
	}
}

// credentialFuncs are the functions that compare secrets: they must use
// crypto/subtle and never compare secret material with == or bytes.Equal.
var credentialFuncs = []struct{ dir, recv, name string }{
	// proxy/stats Page.Authorized delegates to userlist.CheckPairs.
	{"proxy/userlist", "List", "Check"},
	{"proxy/userlist", "", "CheckPairs"},
}

var secretWord = regexp.MustCompile(`(?i)pass|pw\b|plain|hash|cred|dec\b|sum\b`)

// TestSecurityConstantTimeCredentials reads the source of the functions
// that check passwords (stats auth, userlists).
func TestSecurityConstantTimeCredentials(t *testing.T) {
	root := filepath.Join("..")
	for _, cf := range credentialFuncs {
		t.Run(cf.dir+"."+cf.name, func(t *testing.T) {
			fset := token.NewFileSet()
			pkgs, err := parser.ParseDir(fset, filepath.Join(root, cf.dir), func(fi os.FileInfo) bool {
				return !strings.HasSuffix(fi.Name(), "_test.go")
			}, 0)
			if err != nil {
				t.Skipf("%s: %v", cf.dir, err)
			}
			var fn *ast.FuncDecl
			for _, p := range pkgs {
				for _, f := range p.Files {
					for _, d := range f.Decls {
						if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == cf.name && recvName(fd) == cf.recv {
							fn = fd
						}
					}
				}
			}
			if fn == nil {
				t.Fatalf("no function %s.%s in %s: update credentialFuncs", cf.recv, cf.name, cf.dir)
			}
			subtle := 0
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					s := types.ExprString(n.Fun)
					if s == "subtle.ConstantTimeCompare" {
						subtle++
						return false
					}
					if s == "bytes.Equal" || s == "strings.EqualFold" || s == "bytes.EqualFold" || s == "reflect.DeepEqual" {
						if secretWord.MatchString(types.ExprString(n)) {
							t.Errorf("%s: %s compares secret material in variable time", fset.Position(n.Pos()), types.ExprString(n))
						}
					}
				case *ast.BinaryExpr:
					if n.Op == token.EQL || n.Op == token.NEQ {
						x, y := types.ExprString(n.X), types.ExprString(n.Y)
						if strings.Contains(x, "ConstantTimeCompare") || y == "nil" || isIntLit(n.Y) {
							return true
						}
						if secretWord.MatchString(x) || secretWord.MatchString(y) {
							t.Errorf("%s: %s %s %s compares secret material in variable time", fset.Position(n.Pos()), x, n.Op, y)
						}
					}
				}
				return true
			})
			if subtle == 0 {
				t.Errorf("%s.%s does not call subtle.ConstantTimeCompare", cf.recv, cf.name)
			}
		})
	}
}

func recvName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return ""
	}
	e := fd.Recv.List[0].Type
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func isIntLit(e ast.Expr) bool {
	b, ok := e.(*ast.BasicLit)
	return ok && b.Kind == token.INT
}

// TestSecurityPrivilegeDrop runs the daemon as root with global.user set
// to a throwaway system user: /proc/PID/status shows the new uid, and the
// kept capabilities (NET_ADMIN, NET_RAW, NET_BIND_SERVICE) and nothing more.
func TestSecurityPrivilegeDrop(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the privilege drop is from root to global.user")
	}
	if _, err := exec.LookPath("useradd"); err != nil {
		t.Skip("useradd not installed: cannot make a throwaway user")
	}
	user := fmt.Sprintf("haae2e%d", os.Getpid()%100000)
	if out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user).CombinedOutput(); err != nil {
		t.Skipf("useradd %s: %v: %s", user, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("userdel", user).CombinedOutput(); err != nil {
			t.Errorf("userdel %s: %v: %s", user, err, out)
		}
	})
	uidOut, err := exec.Command("id", "-u", user).Output()
	if err != nil {
		t.Fatal(err)
	}
	uid := strings.TrimSpace(string(uidOut))

	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	stats := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	rec := startRecorder(t)
	cfg := strings.Replace(abuseConfig(100, addr, stats, rec.addr()), "[global]\n", "[global]\nuser = \""+user+"\"\n", 1)
	d := startDaemon(t, cfg, addr)
	// The drop happens after the listeners are up: wait for it.
	deadline := time.Now().Add(5 * time.Second)
	var status map[string]string
	for {
		status = procStatus(t, d.pid())
		if f := strings.Fields(status["Uid"]); len(f) == 4 && f[1] == uid || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if f := strings.Fields(status["Uid"]); len(f) != 4 || f[0] != uid || f[1] != uid || f[2] != uid || f[3] != uid {
		t.Fatalf("Uid line %q, want real, effective, saved and fs uid %s", status["Uid"], uid)
	}
	eff, _ := strconv.ParseUint(status["CapEff"], 16, 64)
	const netBind, netAdmin, netRaw = 10, 12, 13
	want := uint64(1)<<netBind | 1<<netAdmin | 1<<netRaw
	if eff != want {
		t.Errorf("CapEff %016x, want exactly NET_BIND_SERVICE, NET_ADMIN, NET_RAW (%016x)", eff, want)
	}
	mustServe(t, addr, "/as-user")
	// The control socket still answers root's tools.
	if out, err := exec.Command(applianceBinary(t), "admin", "-S", d.socket, "help").CombinedOutput(); err != nil {
		t.Errorf("admin help after the drop: %v: %s", err, out)
	}
}

func procStatus(t *testing.T, pid int) map[string]string {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		m[k] = strings.TrimSpace(v)
	}
	return m
}

// Secrets planted in the configuration of TestSecurityNoSecretInLogs.
const (
	statsSecret    = "St4tsSecretPw"
	userlistSecret = "Us3rlistSecretPw"
	vrrpSecret     = "VrP4ss"
)

// TestSecurityNoSecretInLogs: stats passwords, userlist passwords and the
// VRRPv2 auth_pass appear in no log line (debug level included, through a
// start, requests with wrong and right credentials, a refused reload and a
// stop) and in no `check` output, valid or not.
func TestSecurityNoSecretInLogs(t *testing.T) {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	stats := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	rec := startRecorder(t)
	cfg := abuseConfig(100, addr, stats, rec.addr())
	cfg = strings.Replace(cfg, `level = "warning"`, `level = "debug"`, 1)
	cfg = strings.Replace(cfg, `auth = ["admin:admin"]`, `auth = ["admin:admin", "ops:`+statsSecret+`"]`, 1)
	cfg += `
[userlist.ops]
user = [ { name = "alice", password = "` + userlistSecret + `" } ]
`
	d := startDaemon(t, cfg, addr, stats)
	mustServe(t, addr, "/x")
	for _, auth := range []string{"ops:" + statsSecret, "ops:wrong", "nobody:" + statsSecret} {
		c := dial(t, stats)
		c.roundTrip("GET", "GET /stats HTTP/1.1\r\nHost: t\r\nAuthorization: Basic "+b64(auth)+"\r\n\r\n")
	}
	// A refused reload: the bad file has the secrets next to the errors.
	bad := cfg + "\n[backend.broken]\nbalance = \"nosuch\"\n" +
		"[[vrrp.instance]]\nname = \"VI_9\"\ninterface = \"eth9\"\nvirtual_router_id = 300\npriority = 100\nversion = 3\nauth_pass = \"" + vrrpSecret + "\"\nvirtual_ipaddress = [\"198.18.0.100/24\"]\n"
	if err := os.WriteFile(d.config, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	d.cmd.Process.Signal(syscall.SIGHUP)
	abuseWaitLog(t, d.process, "reload", 5*time.Second)
	// Broken TOML on the very line of a secret.
	os.WriteFile(d.config, []byte(cfg+"\n[userlist.x]\nuser = [ { name = \"bob\", password = \""+userlistSecret+"\" "), 0o600)
	d.cmd.Process.Signal(syscall.SIGHUP)
	time.Sleep(300 * time.Millisecond)
	mustServe(t, addr, "/still")
	d.Stop()
	logs := d.logs.String()

	var outputs []string
	for _, f := range []string{cfg, bad, cfg + "\nauth_pass = \"" + vrrpSecret + "\"\n", cfg + "\n[userlist.x]\nuser = [ { name = \"bob\", password = \"" + userlistSecret + "\" "} {
		p := filepath.Join(t.TempDir(), "c.toml")
		os.WriteFile(p, []byte(strings.ReplaceAll(f, "{{DIR}}", t.TempDir())), 0o600)
		out, _ := exec.Command(applianceBinary(t), "check", "-c", p).CombinedOutput()
		outputs = append(outputs, string(out))
	}
	for _, s := range []string{statsSecret, userlistSecret, vrrpSecret} {
		if strings.Contains(logs, s) {
			t.Errorf("secret %q appears in the daemon's log:\n%s", s, grepLines(logs, s))
		}
		for i, out := range outputs {
			if strings.Contains(out, s) {
				t.Errorf("secret %q appears in check output %d:\n%s", s, i, grepLines(out, s))
			}
		}
	}
	if !strings.Contains(outputs[1], "balance") {
		t.Errorf("check of the bad file does not name its problem:\n%s", outputs[1])
	}
}

func abuseWaitLog(t *testing.T, p *process, s string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(p.logs.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q after %v", s, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
