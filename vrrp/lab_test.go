package vrrp_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"haappliance/internal/keepalivedtest"
	"haappliance/internal/lab"
)

// Namespace lab tests (SPEC §10): they need root and iproute2, and
// keepalived for the interop ones; they skip with the reason otherwise.

var (
	labVIP = netip.MustParseAddr("198.18.0.100")

	buildOnce sync.Once
	nodeBin   string
	buildErr  error
)

// vrrpnodeBin builds vrrp/internal/vrrpnode once per test binary.
func vrrpnodeBin(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "vrrpnode")
		if err != nil {
			buildErr = err
			return
		}
		nodeBin = filepath.Join(dir, "vrrpnode")
		out, err := exec.Command("go", "build", "-o", nodeBin, "haappliance/vrrp/internal/vrrpnode").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("build vrrpnode: %v: %s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return nodeBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if nodeBin != "" {
		os.RemoveAll(filepath.Dir(nodeBin))
	}
	os.Exit(code)
}

func newPairLab(t *testing.T) (*lab.Lab, *lab.Host, *lab.Host) {
	t.Helper()
	if testing.Short() {
		t.Skip("namespace lab skipped in -short mode")
	}
	if err := lab.Available(); err != nil {
		t.Skipf("namespace lab unavailable: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := lab.New(ctx, []lab.HostSpec{
		{Name: "ha1", Addrs: []string{"198.18.0.11/24"}},
		{Name: "ha2", Addrs: []string{"198.18.0.12/24"}},
	}, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Error(err)
		}
	})
	return l, l.Hosts[0], l.Hosts[1]
}

type nodeSpec struct {
	prio     int
	version  int
	interval time.Duration
	state    string
}

func startOurs(t *testing.T, h *lab.Host, s nodeSpec) *lab.Proc {
	t.Helper()
	conf := fmt.Sprintf(`[[vrrp.instance]]
name = "VI_1"
interface = "eth0"
state = %q
virtual_router_id = 51
priority = %d
advert_interval = "%dms"
version = %d
virtual_ipaddress = ["198.18.0.100/24"]
`, s.state, s.prio, s.interval.Milliseconds(), s.version)
	f := filepath.Join(t.TempDir(), "node.toml")
	if err := os.WriteFile(f, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := h.Start(vrrpnodeBin(t), "-c", f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s (haappliance) log:\n%s", h.Name, p.Output())
		}
	})
	return p
}

func startKeepalived(t *testing.T, h *lab.Host, s nodeSpec) *lab.Proc {
	return keepalivedtest.Start(t, h, keepalivedtest.Node{State: s.state, Priority: s.prio, Interval: s.interval, Version: s.version})
}

// waitVIP waits for the VIP to be present (or absent) on h.
func waitVIP(t *testing.T, w *lab.AddrWatch, want bool, timeout time.Duration) time.Time {
	t.Helper()
	at, err := w.Wait(context.Background(), want, timeout)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func watch(t *testing.T, h *lab.Host) *lab.AddrWatch {
	t.Helper()
	w, err := h.WatchAddr(labVIP)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w
}

func TestLabInteropKeepalived(t *testing.T) {
	for _, version := range []int{3, 2} {
		t.Run(fmt.Sprintf("v%d", version), func(t *testing.T) {
			_, a, b := newPairLab(t)
			wa, wb := watch(t, a), watch(t, b)
			ka := startKeepalived(t, b, nodeSpec{100, version, time.Second, "BACKUP"})
			ours := startOurs(t, a, nodeSpec{101, version, time.Second, "MASTER"})
			waitVIP(t, wa, true, 8*time.Second)
			time.Sleep(3 * time.Second) // let keepalived see a few of our adverts
			if has, _ := b.HasAddr(context.Background(), labVIP); has {
				t.Fatal("keepalived holds the VIP too: it does not accept our adverts")
			}

			// SIGSTOP: keepalived takes over within its master down interval.
			skew100 := 609375 * time.Microsecond
			mdi := 3*time.Second + skew100
			ours.Signal(syscall.SIGSTOP)
			t0 := time.Now()
			at := waitVIP(t, wb, true, mdi+time.Second)
			t.Logf("v%d SIGSTOP: keepalived master after %v (bound %v)", version, at.Sub(t0), mdi)

			// SIGCONT: we preempt back and keepalived releases the VIP.
			ours.Signal(syscall.SIGCONT)
			t0 = time.Now()
			at = waitVIP(t, wb, false, 3*time.Second)
			t.Logf("v%d SIGCONT: keepalived released the VIP after %v", version, at.Sub(t0))
			if has, _ := a.HasAddr(context.Background(), labVIP); !has {
				t.Fatal("we do not hold the VIP after preempting back")
			}

			// SIGTERM: keepalived is master within its skew time; we leave no VIP.
			ours.Signal(syscall.SIGTERM)
			t0 = time.Now()
			at = waitVIP(t, wb, true, skew100+300*time.Millisecond)
			t.Logf("v%d SIGTERM: keepalived master after %v (skew %v)", version, at.Sub(t0), skew100)
			if err := ours.Wait(5 * time.Second); err != nil {
				t.Fatalf("our node after SIGTERM: %v", err)
			}
			if has, _ := a.HasAddr(context.Background(), labVIP); has {
				t.Fatal("our node left its VIP behind")
			}

			// Reverse roles: at 99 we stay backup, and take over when keepalived stops.
			ours = startOurs(t, a, nodeSpec{99, version, time.Second, "BACKUP"})
			time.Sleep(5 * time.Second)
			if has, _ := a.HasAddr(context.Background(), labVIP); has {
				t.Fatal("our node (99) took the VIP from keepalived (100)")
			}
			ka.Signal(syscall.SIGTERM)
			t0 = time.Now()
			skew99 := (256 - 99) * time.Second / 256
			at = waitVIP(t, wa, true, skew99+500*time.Millisecond)
			t.Logf("v%d keepalived SIGTERM: we are master after %v (skew %v)", version, at.Sub(t0), skew99)
			if err := ka.Wait(5 * time.Second); err != nil {
				t.Logf("keepalived exit: %v", err)
			}
			if testing.Verbose() {
				t.Logf("keepalived log:\n%s", ka.Output())
			}
			if bad := keepalivedtest.Complaints(ka.Output()); len(bad) > 0 {
				t.Errorf("keepalived complained:\n%s", strings.Join(bad, "\n"))
			}
			if !strings.Contains(ours.Output(), "Entering MASTER STATE") {
				t.Errorf("no transition line in our log")
			}
		})
	}
}

func TestLabTwoNodesFastCrash(t *testing.T) {
	_, a, b := newPairLab(t)
	wa, wb := watch(t, a), watch(t, b)
	ours := startOurs(t, a, nodeSpec{101, 3, 100 * time.Millisecond, "MASTER"})
	startOurs(t, b, nodeSpec{100, 3, 100 * time.Millisecond, "BACKUP"})
	waitVIP(t, wa, true, 5*time.Second)
	time.Sleep(500 * time.Millisecond)
	if has, _ := b.HasAddr(context.Background(), labVIP); has {
		t.Fatal("both nodes hold the VIP")
	}
	ours.Signal(syscall.SIGKILL)
	t0 := time.Now()
	at := waitVIP(t, wb, true, 2*time.Second)
	// RFC bound: 3 × 100 ms + skew (60.9 ms at priority 100), plus the
	// issue's margin: 450 ms.
	if took := at.Sub(t0); took > 450*time.Millisecond {
		t.Fatalf("failover after a crash took %v, want <= 450ms", took)
	} else {
		t.Logf("100 ms adverts, SIGKILL: backup master after %v", took)
	}
}

// TestLabIPv6Interop runs VRRPv3 over IPv6 against keepalived: adverts
// from the link-local address to ff02::12, the VIP added without DAD and
// announced with unsolicited NAs.
func TestLabIPv6Interop(t *testing.T) {
	l, a, b := newPairLab(t)
	_ = l
	vip6 := netip.MustParseAddr("2001:2::100")
	w6, err := a.WatchAddr(vip6)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w6.Close)
	wb6, err := b.WatchAddr(vip6)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(wb6.Close)
	dir := t.TempDir()
	conf := filepath.Join(dir, "node.toml")
	os.WriteFile(conf, []byte(`[[vrrp.instance]]
name = "VI_6"
interface = "eth0"
virtual_router_id = 52
priority = 101
advert_interval = "1s"
version = 3
virtual_ipaddress = ["2001:2::100/64"]
`), 0o644)
	ours, err := a.Start(vrrpnodeBin(t), "-c", conf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("keepalived"); err != nil {
		t.Skip("keepalived not installed")
	}
	kconf := filepath.Join(dir, "keepalived.conf")
	os.WriteFile(kconf, []byte(`vrrp_instance VI_6 {
    state BACKUP
    interface eth0
    virtual_router_id 52
    priority 100
    advert_int 1
    version 3
    virtual_ipaddress {
        2001:2::100/64
    }
}
`), 0o644)
	ka, err := b.Start("keepalived", "-n", "-l", "-D", "-G", "-P", "-f", kconf,
		"-p", filepath.Join(dir, "k.pid"), "-r", filepath.Join(dir, "v.pid"), "-c", filepath.Join(dir, "c.pid"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("ours:\n%s\nkeepalived:\n%s", ours.Output(), ka.Output())
		}
	})
	if _, err := w6.Wait(context.Background(), true, 8*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	if has, _ := b.HasAddr(context.Background(), vip6); has {
		t.Fatal("keepalived holds the IPv6 VIP too: it does not accept our adverts")
	}
	out, _ := a.AddrLines(context.Background())
	if !strings.Contains(out, "2001:2::100/64") || strings.Contains(out, "tentative") {
		t.Errorf("VIP not added without DAD: %s", out)
	}
	ours.Signal(syscall.SIGTERM)
	t0 := time.Now()
	at, err := wb6.Wait(context.Background(), true, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("IPv6 SIGTERM: keepalived master after %v", at.Sub(t0))
	if err := ours.Wait(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if has, _ := a.HasAddr(context.Background(), vip6); has {
		t.Fatal("our node left its IPv6 VIP behind")
	}
	if bad := keepalivedtest.Complaints(ka.Output()); len(bad) > 0 {
		t.Errorf("keepalived complained:\n%s", strings.Join(bad, "\n"))
	}
}
