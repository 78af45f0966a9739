package vrrp_test

import (
	"context"
	"encoding/hex"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"
	"github.com/sirupsen/logrus/hooks/test"

	"haappliance/config"
	"haappliance/vrrp"
	"haappliance/vrrp/vrrptest"
)

var (
	addrA = netip.MustParseAddr("198.18.0.11")
	addrB = netip.MustParseAddr("198.18.0.12")
	vip   = netip.MustParsePrefix("198.18.0.100/24")
)

func ptr[T any](v T) *T { return &v }

func instance(prio int, interval time.Duration, version int) vrrp.InstanceConfig {
	return vrrp.InstanceConfig{
		Name: "VI_1", Interface: "eth0", VirtualRouterID: 51, Priority: ptr(prio),
		AdvertInterval: config.Duration(interval), Version: version,
		VirtualIPAddress: []string{vip.String()},
	}
}

// node is one fake host running a Group.
type node struct {
	host   *vrrptest.Host
	group  *vrrp.Group
	cancel context.CancelFunc
	done   chan error
	hook   *test.Hook
	mu     sync.Mutex
	argv   [][]string
}

func startNode(t *testing.T, seg *vrrptest.Segment, addr netip.Addr, ic vrrp.InstanceConfig) *node {
	t.Helper()
	n := &node{host: seg.AddHost("eth0", addr), done: make(chan error, 1)}
	logger, hook := test.NewNullLogger()
	n.hook = hook
	g, err := vrrp.NewGroup(vrrp.Config{Instances: []vrrp.InstanceConfig{ic}}, vrrp.Options{
		Log: logrus.NewEntry(logger), Sockets: n.host, Addresses: n.host, Links: n.host,
		RunScript: func(ctx context.Context, argv []string) error {
			n.mu.Lock()
			n.argv = append(n.argv, argv)
			n.mu.Unlock()
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	n.group = g
	ctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	go func() { n.done <- g.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-n.done })
	return n
}

func (n *node) state() string { return n.group.Snapshot()[0].State }

func (n *node) lines(level logrus.Level) []string {
	var out []string
	for _, e := range n.hook.AllEntries() {
		if e.Level == level {
			out = append(out, e.Message)
		}
	}
	return out
}

// after advances the fake clock by d and waits for every goroutine of the
// bubble to settle.
func after(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}

func TestPairFailover(t *testing.T) {
	for _, version := range []int{2, 3} {
		t.Run("v"+string(rune('0'+version)), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				seg := vrrptest.NewSegment()
				a := startNode(t, seg, addrA, instance(101, time.Second, version))
				b := startNode(t, seg, addrB, instance(100, time.Second, version))
				after(4 * time.Second) // A's master down interval is 3.605 s
				if a.state() != "MASTER" || b.state() != "BACKUP" || !a.host.Holds(vip) || b.host.Holds(vip) {
					t.Fatalf("election: A %s (holds %v), B %s (holds %v)", a.state(), a.host.Holds(vip), b.state(), b.host.Holds(vip))
				}
				if got := len(a.host.Announced()); got != 5 {
					t.Errorf("A sent %d gratuitous ARPs on becoming master, want 5", got)
				}

				// Crash-like freeze of A: B takes over within its master down interval.
				a.host.SetFrozen(true)
				t0 := time.Now()
				for b.state() != "MASTER" && time.Since(t0) < 10*time.Second {
					after(10 * time.Millisecond)
				}
				took := time.Since(t0)
				if b.state() != "MASTER" || took > 3609375*time.Microsecond+10*time.Millisecond {
					t.Fatalf("B is %s after %v, want MASTER within 3.609 s", b.state(), took)
				}
				if !b.host.Holds(vip) {
					t.Error("B is master without the VIP")
				}

				// A thaws: it hears a lower priority master, alerts, and re-asserts.
				a.host.SetFrozen(false)
				// B's next advert reaches A before A's reaches B.
				adv := vrrp.Advert{Version: uint8(version), VRID: 51, Priority: 100, Interval: 1, Addresses: []netip.Addr{vip.Addr()}}
				if version == 3 {
					adv.Interval = 100
				}
				msg, _ := adv.AppendMarshal(nil, addrB, vrrp.GroupIPv4, vrrp.DialectPseudo)
				a.host.Inject(vrrptest.Packet{Msg: msg, Src: addrB, Dst: vrrp.GroupIPv4, TTL: 255})
				after(1100 * time.Millisecond)
				if a.state() != "MASTER" || b.state() != "BACKUP" || b.host.Holds(vip) {
					t.Fatalf("after thaw: A %s, B %s (holds %v)", a.state(), b.state(), b.host.Holds(vip))
				}
				alerts := a.lines(logrus.ErrorLevel)
				if len(alerts) != 1 || !strings.HasPrefix(alerts[0], "VRRP_Instance(VI_1) split brain: another master 198.18.0.12 (priority 100)") {
					t.Errorf("split brain alerts: %q", alerts)
				}

				// Graceful stop of A: B is master within its skew time, A keeps
				// the VIP until then and holds none after.
				a.cancel()
				t0 = time.Now()
				synctest.Wait()
				if !a.host.Holds(vip) {
					t.Error("A dropped the VIP before the new master was heard")
				}
				err := <-a.done
				a.done <- err
				took = time.Since(t0)
				skew := 609375 * time.Microsecond // (256-100)/256 s in v2 and, at 1 s, in v3
				if err != nil || took > skew+time.Millisecond || b.state() != "MASTER" || a.host.Holds(vip) {
					t.Fatalf("graceful stop: err %v, took %v, B %s, A holds %v", err, took, b.state(), a.host.Holds(vip))
				}
				if st := a.group.Snapshot()[0]; st.State != "INIT" || st.VIPs[0].Held {
					t.Errorf("A after stop: %+v", st)
				}
			})
		})
	}
}

func TestMalformedPacketsAreCountedNotObeyed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		seg := vrrptest.NewSegment()
		a := startNode(t, seg, addrA, instance(101, time.Second, 3))
		b := startNode(t, seg, addrB, instance(100, time.Second, 3))
		after(4 * time.Second)
		if b.state() != "BACKUP" {
			t.Fatalf("B is %s", b.state())
		}
		// A valid priority-0 advert from A, to corrupt: V5 with our addresses.
		good := func(prio byte) []byte {
			adv := vrrp.Advert{Version: 3, VRID: 51, Priority: prio, Interval: 100, Addresses: []netip.Addr{vip.Addr()}}
			msg, _ := adv.AppendMarshal(nil, addrA, vrrp.GroupIPv4, vrrp.DialectPseudo)
			return msg
		}
		mod := func(f func(b []byte) []byte) []byte { return f(good(0)) }
		v2, _ := hex.DecodeString("213300010001185" + "4c61200640000000000000000")
		cases := []struct {
			reason string
			msg    []byte
			ttl    int
		}{
			{"checksum", mod(func(b []byte) []byte { b[7] ^= 0xff; return b }), 255},
			{"ttl", good(0), 64},
			{"too_short", good(0)[:5], 255},
			{"length", good(0)[:10], 255},
			{"version", v2, 255},
			{"length", mod(func(b []byte) []byte { b[3] = 3; return b }), 255},
			{"type", mod(func(b []byte) []byte { b[0] = 0x32; return b }), 255},
			{"vrid", mod(func(b []byte) []byte { b[1] = 52; return b }), 255},
			{"address_list", func() []byte {
				adv := vrrp.Advert{Version: 3, VRID: 51, Interval: 100, Addresses: []netip.Addr{netip.MustParseAddr("198.18.0.99")}}
				m, _ := adv.AppendMarshal(nil, addrA, vrrp.GroupIPv4, vrrp.DialectPseudo)
				return m
			}(), 255},
			{"address_count", func() []byte {
				adv := vrrp.Advert{Version: 3, VRID: 51, Interval: 100, Addresses: []netip.Addr{vip.Addr(), netip.MustParseAddr("198.18.0.99")}}
				m, _ := adv.AppendMarshal(nil, addrA, vrrp.GroupIPv4, vrrp.DialectPseudo)
				return m
			}(), 255},
		}
		want := map[string]uint64{}
		for _, c := range cases {
			b.host.Inject(vrrptest.Packet{Msg: c.msg, Src: addrA, Dst: vrrp.GroupIPv4, TTL: c.ttl})
			want[c.reason]++
		}
		// Fuzz-like noise: every one-byte message.
		for i := range 256 {
			b.host.Inject(vrrptest.Packet{Msg: []byte{byte(i)}, Src: addrA, Dst: vrrp.GroupIPv4, TTL: 255})
			want["too_short"]++
			if i%32 == 31 {
				synctest.Wait() // let the reader drain its queue
			}
		}
		after(100 * time.Millisecond)
		if b.state() != "BACKUP" || a.state() != "MASTER" {
			t.Fatalf("malformed packets changed state: A %s, B %s", a.state(), b.state())
		}
		if diff := cmp.Diff(want, b.group.Stats().Dropped); diff != "" {
			t.Errorf("dropped (-want +got):\n%s", diff)
		}
		// Had any been obeyed, the priority 0 would have made B master after its skew time.
		after(time.Second)
		if b.state() != "BACKUP" {
			t.Fatalf("B became %s", b.state())
		}
	})
}

func TestTrackWeightsAndFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		seg := vrrptest.NewSegment()
		ic := instance(101, time.Second, 3)
		ic.Track = []vrrp.TrackConfig{{Frontend: "http-in", Weight: 2}}
		ic.Notify = "/usr/local/bin/notify.sh"
		ic.NotifyMaster = "/usr/local/bin/master.sh 'a b'"
		a := startNode(t, seg, addrA, ic)
		b := startNode(t, seg, addrB, instance(102, time.Second, 3))
		after(5 * time.Second)
		if a.state() != "MASTER" || a.group.Snapshot()[0].EffectivePriority != 103 {
			t.Fatalf("A %s at %d, want MASTER at 103", a.state(), a.group.Snapshot()[0].EffectivePriority)
		}
		if err := a.group.SetTrack("VI_1", vrrp.TrackUpdate{Index: 0, OK: false}); err != nil {
			t.Fatal(err)
		}
		after(5 * time.Second) // B (102) preempts A (now 101) after its down interval
		if a.state() != "BACKUP" || b.state() != "MASTER" {
			t.Fatalf("after the track failed: A %s, B %s", a.state(), b.state())
		}
		var notices []string
		for _, e := range a.hook.AllEntries() {
			if e.Data[vrrp.SeverityField] == "notice" {
				notices = append(notices, e.Message)
			}
		}
		if diff := cmp.Diff([]string{"VRRP_Instance(VI_1) priority 103 -> 101 (track frontend http-in failed, weight 2)"}, notices); diff != "" {
			t.Errorf("notice lines (-want +got):\n%s", diff)
		}
		st := a.group.Snapshot()[0]
		if diff := cmp.Diff([]vrrp.TrackStatus{{Kind: "frontend", Target: "http-in", Weight: 2, OK: false}}, st.Tracks); diff != "" {
			t.Errorf("tracks (-want +got):\n%s", diff)
		}
		if st.Master != addrB.String() {
			t.Errorf("A sees master %q, want %s", st.Master, addrB)
		}

		// B's link goes down: FAULT, VIP removed; A takes over.
		b.host.SetLink(false)
		after(5 * time.Second)
		if b.state() != "FAULT" || b.host.Holds(vip) || a.state() != "MASTER" || !a.host.Holds(vip) {
			t.Fatalf("link down: A %s, B %s (holds %v)", a.state(), b.state(), b.host.Holds(vip))
		}
		b.host.SetLink(true)
		after(5 * time.Second) // B (102) is back and preempts A (101)
		if b.state() != "MASTER" {
			t.Fatalf("link up: B %s", b.state())
		}
		a.mu.Lock()
		argv := slices.Clone(a.argv)
		a.mu.Unlock()
		want := [][]string{
			{"/usr/local/bin/notify.sh", "INSTANCE", "VI_1", "BACKUP", "103"},
			{"/usr/local/bin/master.sh", "a b"},
			{"/usr/local/bin/notify.sh", "INSTANCE", "VI_1", "MASTER", "103"},
			{"/usr/local/bin/notify.sh", "INSTANCE", "VI_1", "BACKUP", "101"},
			{"/usr/local/bin/master.sh", "a b"},
			{"/usr/local/bin/notify.sh", "INSTANCE", "VI_1", "MASTER", "101"},
			{"/usr/local/bin/notify.sh", "INSTANCE", "VI_1", "BACKUP", "101"},
		}
		if diff := cmp.Diff(want, argv); diff != "" {
			t.Errorf("notify calls (-want +got):\n%s", diff)
		}
	})
}

func TestVRRPOnlyEmptyConfig(t *testing.T) {
	g, err := vrrp.NewGroup(vrrp.Config{}, vrrp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := vrrp.NewGroup(vrrp.Config{Instances: []vrrp.InstanceConfig{{}}}, vrrp.Options{}); err == nil {
		t.Error("NewGroup accepted an invalid configuration")
	}
}
