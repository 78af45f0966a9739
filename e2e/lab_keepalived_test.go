package e2e

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"haappliance/internal/keepalivedtest"
	"haappliance/internal/lab"
)

// Issue 5's acceptance with the real binary against keepalived 2.2.7, for
// VRRPv3 and VRRPv2 (vrrp/lab_test.go runs the same scenario with the
// package's stand-in node).

// vrrpOnly is a VRRP-only configuration (no frontend), which is valid.
func vrrpOnly(prio, version int, state string) string {
	return fmt.Sprintf(`[sysctl]
apply = false

[[vrrp.instance]]
name = "VI_1"
interface = "eth0"
state = %q
virtual_router_id = 51
priority = %d
advert_interval = "1s"
version = %d
virtual_ipaddress = ["198.18.0.100/24"]
`, state, prio, version)
}

func startKeepalived(t *testing.T, h *lab.Host, prio, version int, state string) *lab.Proc {
	return keepalivedtest.Start(t, h, keepalivedtest.Node{State: state, Priority: prio, Interval: time.Second, Version: version})
}

func TestLabRealBinaryKeepalived(t *testing.T) {
	for _, version := range []int{3, 2} {
		t.Run(fmt.Sprintf("v%d", version), func(t *testing.T) {
			l := newLab(t, labHosts[:2])
			a, b := l.Host("ha1"), l.Host("ha2")
			wa, wb := watchVIP(t, a), watchVIP(t, b)
			ka := startKeepalived(t, b, 100, version, "BACKUP")
			ours := startNode(t, a, vrrpOnly(101, version, "MASTER"))
			waitVIP(t, wa, true, 8*time.Second)
			ours.waitStatus(t, "MASTER 101", func(s *labStatus) bool {
				return len(s.Instances) == 1 && s.Instances[0].State == "MASTER" && s.Instances[0].EffectivePriority == 101
			}, 5*time.Second)
			// keepalived must stay backup while hearing us: three adverts.
			time.Sleep(3 * time.Second) // a fixed number of adverts at 1 s; not a timing assertion
			if has, _ := b.HasAddr(context.Background(), labVIP); has {
				t.Fatal("keepalived holds the VIP too: it does not accept our adverts")
			}

			skew100 := 609375 * time.Microsecond
			mdi := 3*time.Second + skew100
			wb.Drain()
			ours.p.Signal(syscall.SIGSTOP)
			t0 := time.Now()
			at := waitVIP(t, wb, true, mdi+time.Second)
			t.Logf("v%d SIGSTOP: keepalived master after %v (bound %v)", version, at.Sub(t0), mdi)

			wb.Drain()
			wa.Drain()
			ours.p.Signal(syscall.SIGCONT)
			t0 = time.Now()
			at = waitVIP(t, wb, false, 3*time.Second)
			t.Logf("v%d SIGCONT: keepalived released the VIP after %v", version, at.Sub(t0))
			waitVIP(t, wa, true, 2*time.Second)
			if bad := keepalivedtest.Complaints(ka.Output()); len(bad) > 0 {
				t.Fatalf("keepalived complained while we were master:\n%s", strings.Join(bad, "\n"))
			}

			wb.Drain()
			ours.p.Signal(syscall.SIGTERM)
			t0 = time.Now()
			at = waitVIP(t, wb, true, skew100+300*time.Millisecond)
			t.Logf("v%d SIGTERM: keepalived master after %v (skew %v)", version, at.Sub(t0), skew100)
			if err := ours.p.Wait(10 * time.Second); err != nil {
				t.Fatalf("our node after SIGTERM: %v", err)
			}
			if has, _ := a.HasAddr(context.Background(), labVIP); has {
				t.Fatal("our node left its VIP behind")
			}

			// Reverse roles: at 99 we stay backup and take over when
			// keepalived stops.
			wa.Drain()
			ours = startNode(t, a, vrrpOnly(99, version, "BACKUP"))
			ours.waitStatus(t, "BACKUP seeing keepalived", func(s *labStatus) bool {
				return len(s.Instances) == 1 && s.Instances[0].State == "BACKUP" && s.Instances[0].Master == "198.18.0.12"
			}, 8*time.Second)
			if has, _ := a.HasAddr(context.Background(), labVIP); has {
				t.Fatal("our node (99) took the VIP from keepalived (100)")
			}
			ka.Signal(syscall.SIGTERM)
			t0 = time.Now()
			skew99 := (256 - 99) * time.Second / 256
			at = waitVIP(t, wa, true, skew99+500*time.Millisecond)
			t.Logf("v%d keepalived SIGTERM: we are master after %v (skew %v)", version, at.Sub(t0), skew99)
			ka.Wait(5 * time.Second)
			if bad := keepalivedtest.Complaints(ka.Output()); len(bad) > 0 {
				t.Errorf("keepalived complained:\n%s", strings.Join(bad, "\n"))
			}
			if !strings.Contains(ours.p.Output(), "VRRP_Instance(VI_1) Entering MASTER STATE") {
				t.Errorf("no transition line in our log")
			}
		})
	}
}
