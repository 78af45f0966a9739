package e2e

import (
	"context"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"haappliance/internal/lab"
	"haappliance/vrrp"
)

// VRRP garbage (issue 11, SPEC §7): packets injected on the segment by a
// third host are dropped and counted by reason, and change nothing: the
// master stays master, the VIP never moves.

var (
	vrrpGroup = netip.MustParseAddr("224.0.0.18")
	attacker  = netip.MustParseAddr("198.18.0.50")
)

// vrrpShowJSON is the part of `show vrrp json` these tests read.
type vrrpShowJSON struct {
	Instances []struct {
		Name  string     `json:"name"`
		State string     `json:"state"`
		Stats vrrp.Stats `json:"stats"`
	} `json:"instances"`
	Total vrrp.Stats `json:"total"`
}

func showVRRP(t *testing.T, n *node) vrrpShowJSON {
	t.Helper()
	out := n.admin(t, "show", "vrrp", "json")
	var sh vrrpShowJSON
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &sh); err != nil {
		t.Fatalf("show vrrp json on %s: %v\n%s", n.h.Name, err, out)
	}
	return sh
}

// rawSender sends hand-made IPv4 packets (IP_HDRINCL) from a lab host.
type rawSender struct {
	fd int
}

func newRawSender(t *testing.T, w *nsWorker) *rawSender {
	t.Helper()
	fdc := make(chan int, 1)
	errc := make(chan error, 1)
	if !w.run(func() {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_RAW)
		fdc <- fd
		errc <- err
	}) {
		t.Fatal("namespace worker stopped")
	}
	fd, err := <-fdc, <-errc
	if err != nil {
		t.Fatalf("raw socket: %v", err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return &rawSender{fd: fd}
}

// send sends payload as IP protocol proto to dst with the given TTL.
func (s *rawSender) send(t *testing.T, dst netip.Addr, ttl byte, payload []byte) {
	t.Helper()
	pkt := vrrp.AppendIPv4Header(nil, attacker, dst, 0, len(payload))
	pkt[8] = ttl // the kernel fills the header checksum of IP_HDRINCL packets
	pkt = append(pkt, payload...)
	if err := unix.Sendto(s.fd, pkt, 0, &unix.SockaddrInet4{Addr: dst.As4()}); err != nil {
		t.Fatalf("sendto: %v", err)
	}
}

// advert marshals a VRRP advert from the attacker to the group.
func advert(t *testing.T, a vrrp.Advert) []byte {
	t.Helper()
	b, err := a.AppendMarshal(nil, attacker, vrrpGroup, vrrp.DialectPseudo)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAbuseVRRPGarbage(t *testing.T) {
	l := newLab(t, []lab.HostSpec{labHosts[0], labHosts[1], labHosts[2]})
	ha1, ha2, cl := l.Host("ha1"), l.Host("ha2"), l.Host("client")
	w1, w2 := watchVIP(t, ha1), watchVIP(t, ha2)
	n1 := startNode(t, ha1, vrrpOnly(101, 3, "MASTER"))
	n2 := startNode(t, ha2, vrrpOnly(100, 3, "BACKUP"))
	waitVIP(t, w1, true, 8*time.Second)
	n1.waitStatus(t, "MASTER", instanceIs("MASTER", 101, true, ""), 5*time.Second)
	n2.waitStatus(t, "BACKUP", instanceIs("BACKUP", 100, false, ""), 5*time.Second)
	mustExec(t, cl, "ip", "route", "add", "224.0.0.0/4", "dev", "eth0")
	s := newRawSender(t, newNSWorker(t, cl))
	base1, base2 := showVRRP(t, n1), showVRRP(t, n2)
	w1.Drain()
	w2.Drain()

	vip := netip.MustParseAddr("198.18.0.100")
	good := func() vrrp.Advert {
		return vrrp.Advert{Version: 3, Type: 1, VRID: 51, Priority: 254, Interval: 100, Addresses: []netip.Addr{vip}}
	}
	badSum := func(a vrrp.Advert) []byte {
		b := advert(t, a)
		b[6] ^= 0x55
		return b
	}
	type shot struct {
		name   string
		ttl    byte
		b      []byte
		n      int
		reason string
	}
	wrongVersion := advert(t, vrrp.Advert{Version: 2, Type: 1, VRID: 51, Priority: 254, Interval: 1, Addresses: []netip.Addr{vip}})
	wrongType := good()
	wrongType.Type = 2
	otherVRID := good()
	otherVRID.VRID = 52
	twoAddrs := good()
	twoAddrs.Addresses = []netip.Addr{vip, netip.MustParseAddr("198.18.0.101")}
	otherAddr := good()
	otherAddr.Addresses = []netip.Addr{netip.MustParseAddr("198.18.0.99")}
	shots := []shot{
		{"too short", 255, []byte{0x31, 0x01, 51, 254}, 5, "too_short"},
		{"length", 255, advert(t, good())[:14], 5, "length"},
		{"wrong version", 255, wrongVersion, 5, "version"},
		{"wrong type", 255, advertRaw(t, wrongType), 5, "type"},
		{"other vrid", 255, advert(t, otherVRID), 5, "vrid"},
		{"ttl 64", 64, advert(t, good()), 5, "ttl"},
		{"ttl 1", 1, advert(t, good()), 5, "ttl"},
		{"spoofed priority, bad checksum", 255, badSum(good()), 5, "checksum"},
		{"address count", 255, advert(t, twoAddrs), 5, "address_count"},
		{"address list", 255, advert(t, otherAddr), 5, "address_list"},
		{"flood of bad checksums", 255, badSum(good()), 3000, "checksum"},
	}
	want := map[string]uint64{}
	start := time.Now()
	for _, sh := range shots {
		for i := 0; i < sh.n; i++ {
			s.send(t, vrrpGroup, sh.ttl, sh.b)
			if i%100 == 99 {
				time.Sleep(5 * time.Millisecond) // a bounded flood: ~3000 packets in well under 2 s
			}
		}
		want[sh.reason] += uint64(sh.n)
	}
	t.Logf("sent %d packets in %v", 3050, time.Since(start))
	time.Sleep(500 * time.Millisecond) // let the receivers count what is in flight

	// Nothing moved: no VIP change on either host, states and
	// transitions unchanged.
	if _, err := w1.Wait(context.Background(), false, 10*time.Millisecond); err == nil {
		t.Errorf("the master lost the VIP on garbage")
	}
	if _, err := w2.Wait(context.Background(), true, 10*time.Millisecond); err == nil {
		t.Errorf("the backup took the VIP on garbage")
	}
	n1.waitStatus(t, "still MASTER", instanceIs("MASTER", 101, true, ""), time.Second)
	n2.waitStatus(t, "still BACKUP", instanceIs("BACKUP", 100, false, ""), time.Second)
	for _, n := range []struct {
		node *node
		base vrrpShowJSON
	}{{n1, base1}, {n2, base2}} {
		now := showVRRP(t, n.node)
		if now.Total.Transitions != n.base.Total.Transitions {
			t.Errorf("%s: transitions %d -> %d on garbage", n.node.h.Name, n.base.Total.Transitions, now.Total.Transitions)
		}
		got := map[string]uint64{}
		for r, c := range now.Total.Dropped {
			if d := c - n.base.Total.Dropped[r]; d > 0 {
				got[r] = d
			}
		}
		for r, c := range want {
			if got[r] < c {
				t.Errorf("%s: dropped[%s] grew by %d, want >= %d (all drops: %v)", n.node.h.Name, r, got[r], c, got)
			}
		}
	}
	n1.p.Stop(5 * time.Second)
	n2.p.Stop(5 * time.Second)
	for _, h := range []*lab.Host{ha1, ha2} {
		if has, _ := h.HasAddr(context.Background(), vip); has {
			t.Errorf("%s: VIP left after stop", h.Name)
		}
	}
}

// advertRaw marshals a, then rewrites the type nibble (AppendMarshal
// refuses nothing but versions, so this is for symmetry) and fixes the
// checksum so only the type is wrong.
func advertRaw(t *testing.T, a vrrp.Advert) []byte {
	t.Helper()
	b := advert(t, a)
	b[0] = b[0]&0xf0 | a.Type&0x0f
	b[6], b[7] = 0, 0
	c := vrrp.Checksum(b, 3, attacker, vrrpGroup, vrrp.DialectPseudo)
	b[6], b[7] = byte(c>>8), byte(c)
	return b
}
