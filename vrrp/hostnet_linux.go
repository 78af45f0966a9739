package vrrp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/mdlayher/packet"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// hostNet is the Linux implementation of Sockets, Addresses and Links:
// raw sockets, netlink (in the calling process's network namespace) and
// packet sockets for the announcements.
type hostNet struct{}

func newHostNet() (*hostNet, error) { return &hostNet{}, nil }

// HostNet returns the host's implementation of the kernel seams, for
// callers that want to share or wrap it.
func HostNet() interface {
	Sockets
	Addresses
	Links
} {
	return &hostNet{}
}

func (*hostNet) Listen(ifname string, v6, multicast bool) (Conn, error) {
	if v6 {
		return newConn6(ifname, multicast)
	}
	return newConn4(ifname, multicast)
}

func prefixToIPNet(p netip.Prefix) *net.IPNet {
	bits := p.Addr().BitLen()
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), bits)}
}

func (*hostNet) AddVIP(ifname string, vip netip.Prefix, label string) error {
	link, err := netlink.LinkByName(ifname)
	if err != nil {
		return err
	}
	a := &netlink.Addr{IPNet: prefixToIPNet(vip)}
	if vip.Addr().Is6() {
		a.Flags = unix.IFA_F_NODAD // a tentative address cannot send NA
	} else {
		a.Label = label
	}
	// Replace is idempotent: a VIP left by a crashed run is taken over,
	// not duplicated.
	if err := netlink.AddrReplace(link, a); err != nil {
		return fmt.Errorf("add %s on %s: %w", vip, ifname, err)
	}
	return nil
}

func (*hostNet) DelVIP(ifname string, vip netip.Prefix) error {
	link, err := netlink.LinkByName(ifname)
	if err != nil {
		return err
	}
	err = netlink.AddrDel(link, &netlink.Addr{IPNet: prefixToIPNet(vip)})
	if err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("remove %s from %s: %w", vip, ifname, err)
	}
	return nil
}

func (*hostNet) PrimaryAddr(ifname string, v6 bool, exclude []netip.Prefix) (netip.Addr, error) {
	link, err := netlink.LinkByName(ifname)
	if err != nil {
		return netip.Addr{}, err
	}
	fam := netlink.FAMILY_V4
	if v6 {
		fam = netlink.FAMILY_V6
	}
	addrs, err := netlink.AddrList(link, fam)
	if err != nil {
		return netip.Addr{}, err
	}
next:
	for _, a := range addrs {
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok {
			continue
		}
		ip = ip.Unmap()
		for _, x := range exclude {
			if x.Addr() == ip {
				continue next
			}
		}
		switch {
		case v6 && ip.IsLinkLocalUnicast():
			return ip, nil
		case !v6 && a.Flags&unix.IFA_F_SECONDARY == 0:
			return ip, nil
		}
	}
	if v6 {
		return netip.Addr{}, errors.New("no IPv6 link-local address")
	}
	return netip.Addr{}, errors.New("no IPv4 address")
}

// Announce sends the gratuitous ARPs or unsolicited NAs from a packet
// socket: repeat rounds over every address, back to back, as keepalived.
func (*hostNet) Announce(ifname string, vips []netip.Addr, repeat int) error {
	if len(vips) == 0 || repeat <= 0 {
		return nil
	}
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return err
	}
	v6 := vips[0].Is6()
	proto := etherTypeARP
	dst := broadcastMAC
	router := false
	if v6 {
		proto, dst = etherTypeIPv6, allNodesMAC
		// As keepalived: R only when this host forwards IPv6.
		b, _ := os.ReadFile("/proc/sys/net/ipv6/conf/" + ifname + "/forwarding")
		router = strings.TrimSpace(string(b)) == "1"
	}
	c, err := packet.Listen(ifi, packet.Raw, proto, nil)
	if err != nil {
		return fmt.Errorf("packet socket on %s: %w", ifname, err)
	}
	defer c.Close()
	frames := make([][]byte, 0, len(vips))
	for _, v := range vips {
		var f []byte
		if v6 {
			f, err = AppendUnsolicitedNA(nil, ifi.HardwareAddr, v, router)
		} else {
			f, err = AppendGratuitousARP(nil, ifi.HardwareAddr, v)
		}
		if err != nil {
			return err
		}
		frames = append(frames, f)
	}
	var errs []error
	for range repeat {
		for _, f := range frames {
			if _, err := c.WriteTo(f, &packet.Addr{HardwareAddr: dst}); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func linkIsUp(flags uint32) bool {
	return flags&unix.IFF_UP != 0 && flags&unix.IFF_LOWER_UP != 0
}

func (*hostNet) LinkUp(ifname string) (bool, error) {
	link, err := netlink.LinkByName(ifname)
	if err != nil {
		return false, err
	}
	return linkIsUp(link.Attrs().RawFlags), nil
}

func (*hostNet) WatchLinks(ctx context.Context, fn func(ifname string, up bool)) error {
	ch := make(chan netlink.LinkUpdate, 64)
	done := make(chan struct{})
	defer close(done)
	errc := make(chan error, 1)
	err := netlink.LinkSubscribeWithOptions(ch, done, netlink.LinkSubscribeOptions{
		ErrorCallback: func(err error) {
			select {
			case errc <- err:
			default:
			}
		},
	})
	if err != nil {
		return fmt.Errorf("netlink link subscription: %w", err)
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-errc:
			return err
		case u, ok := <-ch:
			if !ok {
				return errors.New("netlink link subscription closed")
			}
			up := u.Header.Type != unix.RTM_DELLINK && linkIsUp(u.IfInfomsg.Flags)
			fn(u.Attrs().Name, up)
		}
	}
}
