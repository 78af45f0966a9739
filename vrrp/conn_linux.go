package vrrp

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"
)

// listenRaw opens a raw IP protocol 112 socket bound to the interface.
func listenRaw(ifname string, v6 bool) (net.PacketConn, error) {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = unix.SetsockoptString(int(fd), unix.SOL_SOCKET, unix.SO_BINDTODEVICE, ifname)
			if serr == nil && !v6 {
				serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_HDRINCL, 1)
			}
		})
		return errors.Join(err, serr)
	}}
	network, addr := "ip4:112", "0.0.0.0"
	if v6 {
		network, addr = "ip6:112", "::"
	}
	pc, err := lc.ListenPacket(context.Background(), network, addr)
	if err != nil {
		return nil, fmt.Errorf("raw VRRP socket on %s: %w", ifname, err)
	}
	return pc, nil
}

// conn4 is an IPv4 VRRP socket. It writes its own IPv4 header (as
// keepalived does, so the frames are the same to the byte) and reads the
// header the kernel passes on raw sockets, without allocating.
type conn4 struct {
	pc    net.PacketConn
	rc    syscall.RawConn
	ifi   *net.Interface
	group bool

	mu  sync.Mutex // serialises writers (id, wbuf)
	id  uint16
	wb  []byte
	ppc *ipv4.PacketConn
}

func newConn4(ifname string, multicast bool) (*conn4, error) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, err
	}
	pc, err := listenRaw(ifname, false)
	if err != nil {
		return nil, err
	}
	c := &conn4{pc: pc, ifi: ifi, ppc: ipv4.NewPacketConn(pc)}
	if c.rc, err = pc.(*net.IPConn).SyscallConn(); err != nil {
		pc.Close()
		return nil, err
	}
	err = errors.Join(c.ppc.SetMulticastInterface(ifi), c.ppc.SetMulticastLoopback(false))
	if err == nil && multicast {
		err = c.ppc.JoinGroup(ifi, &net.IPAddr{IP: GroupIPv4.AsSlice()})
		c.group = err == nil
	}
	if err != nil {
		pc.Close()
		return nil, fmt.Errorf("multicast on %s: %w", ifname, err)
	}
	return c, nil
}

func (c *conn4) ReadFrom(b []byte) (int, netip.Addr, netip.Addr, int, error) {
	var n int
	var rerr error
	err := c.rc.Read(func(fd uintptr) bool {
		n, rerr = unix.Read(int(fd), b)
		return rerr != unix.EAGAIN
	})
	if err != nil {
		return 0, netip.Addr{}, netip.Addr{}, 0, err
	}
	if rerr != nil {
		return 0, netip.Addr{}, netip.Addr{}, 0, rerr
	}
	if n < 20 || b[0]>>4 != 4 {
		return 0, netip.Addr{}, netip.Addr{}, 0, nil // counted as too short
	}
	ihl := int(b[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(b[2:4]))
	if ihl < 20 || ihl > n {
		return 0, netip.Addr{}, netip.Addr{}, 0, nil
	}
	total = min(total, n)
	src := netip.AddrFrom4([4]byte(b[12:16]))
	dst := netip.AddrFrom4([4]byte(b[16:20]))
	ttl := int(b[8])
	m := copy(b, b[ihl:total])
	return m, src, dst, ttl, nil
}

func (c *conn4) WriteTo(msg []byte, src, dst netip.Addr) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.id++
	if c.id == 0 {
		c.id = 1
	}
	c.wb = AppendIPv4Header(c.wb[:0], src, dst, c.id, len(msg))
	c.wb = append(c.wb, msg...)
	sa := &unix.SockaddrInet4{Addr: dst.As4()}
	var werr error
	err := c.rc.Write(func(fd uintptr) bool {
		werr = unix.Sendto(int(fd), c.wb, unix.MSG_DONTWAIT, sa)
		return werr != unix.EAGAIN
	})
	return errors.Join(err, werr)
}

func (c *conn4) Close() error {
	if c.group {
		c.ppc.LeaveGroup(c.ifi, &net.IPAddr{IP: GroupIPv4.AsSlice()})
	}
	return c.pc.Close()
}

// conn6 is an IPv6 VRRP socket; the kernel builds the IPv6 header and
// reports hop limit and destination as control messages.
type conn6 struct {
	pc    *ipv6.PacketConn
	raw   net.PacketConn
	ifi   *net.Interface
	group bool
	mu    sync.Mutex
}

func newConn6(ifname string, multicast bool) (*conn6, error) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, err
	}
	raw, err := listenRaw(ifname, true)
	if err != nil {
		return nil, err
	}
	c := &conn6{pc: ipv6.NewPacketConn(raw), raw: raw, ifi: ifi}
	err = errors.Join(
		c.pc.SetControlMessage(ipv6.FlagHopLimit|ipv6.FlagDst|ipv6.FlagSrc, true),
		c.pc.SetMulticastInterface(ifi),
		c.pc.SetMulticastLoopback(false),
		c.pc.SetMulticastHopLimit(vrrpTTL),
		c.pc.SetHopLimit(vrrpTTL),
		c.pc.SetTrafficClass(vrrpTOS),
	)
	if err == nil && multicast {
		err = c.pc.JoinGroup(ifi, &net.IPAddr{IP: GroupIPv6.AsSlice()})
		c.group = err == nil
	}
	if err != nil {
		raw.Close()
		return nil, fmt.Errorf("IPv6 socket on %s: %w", ifname, err)
	}
	return c, nil
}

func (c *conn6) ReadFrom(b []byte) (int, netip.Addr, netip.Addr, int, error) {
	n, cm, from, err := c.pc.ReadFrom(b)
	if err != nil {
		return 0, netip.Addr{}, netip.Addr{}, 0, err
	}
	var src, dst netip.Addr
	ttl := 0
	if ia, ok := from.(*net.IPAddr); ok {
		src, _ = netip.AddrFromSlice(ia.IP)
	}
	if cm != nil {
		dst, _ = netip.AddrFromSlice(cm.Dst)
		ttl = cm.HopLimit
	}
	return n, src.Unmap(), dst.Unmap(), ttl, nil
}

func (c *conn6) WriteTo(msg []byte, src, dst netip.Addr) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	cm := &ipv6.ControlMessage{HopLimit: vrrpTTL, Src: src.AsSlice(), IfIndex: c.ifi.Index, TrafficClass: vrrpTOS}
	_, err := c.pc.WriteTo(msg, cm, &net.IPAddr{IP: dst.AsSlice(), Zone: c.ifi.Name})
	return err
}

func (c *conn6) Close() error {
	if c.group {
		c.pc.LeaveGroup(c.ifi, &net.IPAddr{IP: GroupIPv6.AsSlice()})
	}
	return c.raw.Close()
}
