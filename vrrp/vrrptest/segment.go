// Package vrrptest provides in-memory fakes of the vrrp package's kernel
// seams, in the manner of net/http/httptest: a Segment is a LAN on which
// fake hosts exchange VRRP messages, hold addresses and see their links go
// up and down. Everything is channels and mutexes, so tests run under
// testing/synctest with a fake clock.
package vrrptest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"

	"haappliance/vrrp"
)

// Packet is a VRRP message on the segment.
type Packet struct {
	Msg      []byte
	Src, Dst netip.Addr
	TTL      int
}

// Segment is one broadcast domain.
type Segment struct {
	mu    sync.Mutex
	hosts []*Host
	log   []Packet // every message sent, in order
}

// NewSegment returns an empty segment.
func NewSegment() *Segment { return &Segment{} }

// Sent returns a copy of every message sent on the segment so far.
func (s *Segment) Sent() []Packet {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// Host is a fake host with one interface on the segment. It implements
// vrrp.Sockets, vrrp.Addresses and vrrp.Links.
type Host struct {
	seg     *Segment
	ifname  string
	primary netip.Addr

	mu        sync.Mutex
	vips      map[netip.Prefix]string // prefix → label
	announced []netip.Addr
	conns     []*Conn
	up        bool
	watchers  []func(string, bool)
	frozen    bool
}

// AddHost attaches a host whose interface ifname has the primary address.
func (s *Segment) AddHost(ifname string, primary netip.Addr) *Host {
	h := &Host{seg: s, ifname: ifname, primary: primary, vips: map[netip.Prefix]string{}, up: true}
	s.mu.Lock()
	s.hosts = append(s.hosts, h)
	s.mu.Unlock()
	return h
}

// Conn is a fake raw socket.
type Conn struct {
	h      *Host
	in     chan Packet
	closed chan struct{}
	once   sync.Once
}

// Listen implements vrrp.Sockets.
func (h *Host) Listen(ifname string, v6, multicast bool) (vrrp.Conn, error) {
	if ifname != h.ifname {
		return nil, fmt.Errorf("no interface %s", ifname)
	}
	c := &Conn{h: h, in: make(chan Packet, 64), closed: make(chan struct{})}
	h.mu.Lock()
	h.conns = append(h.conns, c)
	h.mu.Unlock()
	return c, nil
}

// ReadFrom implements vrrp.Conn.
func (c *Conn) ReadFrom(b []byte) (int, netip.Addr, netip.Addr, int, error) {
	select {
	case p := <-c.in:
		return copy(b, p.Msg), p.Src, p.Dst, p.TTL, nil
	case <-c.closed:
		return 0, netip.Addr{}, netip.Addr{}, 0, net.ErrClosed
	}
}

// WriteTo implements vrrp.Conn: the message reaches every other host's
// conns (multicast) or the host whose primary address is dst.
func (c *Conn) WriteTo(msg []byte, src, dst netip.Addr) error {
	h := c.h
	h.mu.Lock()
	dead := h.frozen || !h.up
	h.mu.Unlock()
	if dead {
		return errors.New("link down")
	}
	p := Packet{Msg: slices.Clone(msg), Src: src, Dst: dst, TTL: 255}
	s := h.seg
	s.mu.Lock()
	s.log = append(s.log, p)
	hosts := slices.Clone(s.hosts)
	s.mu.Unlock()
	for _, o := range hosts {
		if o == h || (!dst.IsMulticast() && dst != o.primary) {
			continue
		}
		o.Inject(p)
	}
	return nil
}

// Inject delivers a packet to every open conn of the host, as if received
// (unless the host is frozen or its link is down).
func (h *Host) Inject(p Packet) {
	h.mu.Lock()
	conns := slices.Clone(h.conns)
	dead := h.frozen || !h.up
	h.mu.Unlock()
	if dead {
		return
	}
	for _, c := range conns {
		select {
		case c.in <- p:
		case <-c.closed:
		default: // receive buffer full: dropped, as a kernel would
		}
	}
}

// Close implements vrrp.Conn.
func (c *Conn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

// AddVIP implements vrrp.Addresses.
func (h *Host) AddVIP(ifname string, vip netip.Prefix, label string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.vips[vip] = label
	return nil
}

// DelVIP implements vrrp.Addresses.
func (h *Host) DelVIP(ifname string, vip netip.Prefix) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.vips, vip)
	return nil
}

// PrimaryAddr implements vrrp.Addresses.
func (h *Host) PrimaryAddr(ifname string, v6 bool, exclude []netip.Prefix) (netip.Addr, error) {
	if !h.primary.IsValid() || h.primary.Is6() != v6 {
		return netip.Addr{}, errors.New("no address")
	}
	return h.primary, nil
}

// Announce implements vrrp.Addresses: it records the announced addresses.
func (h *Host) Announce(ifname string, vips []netip.Addr, repeat int) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for range repeat {
		h.announced = append(h.announced, vips...)
	}
	return nil
}

// VIPs returns the addresses the host holds, with their labels.
func (h *Host) VIPs() map[netip.Prefix]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[netip.Prefix]string, len(h.vips))
	for k, v := range h.vips {
		out[k] = v
	}
	return out
}

// Holds reports whether the host holds vip.
func (h *Host) Holds(vip netip.Prefix) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, ok := h.vips[vip]
	return ok
}

// Announced returns every address announced so far, one entry per frame.
func (h *Host) Announced() []netip.Addr {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.announced)
}

// SetFrozen stops the host from sending and receiving, like SIGSTOP.
func (h *Host) SetFrozen(f bool) {
	h.mu.Lock()
	h.frozen = f
	h.mu.Unlock()
}

// SetLink sets the link state and tells the watchers.
func (h *Host) SetLink(up bool) {
	h.mu.Lock()
	h.up = up
	ws := slices.Clone(h.watchers)
	h.mu.Unlock()
	for _, w := range ws {
		w(h.ifname, up)
	}
}

// LinkUp implements vrrp.Links.
func (h *Host) LinkUp(ifname string) (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ifname != h.ifname {
		return false, fmt.Errorf("no interface %s", ifname)
	}
	return h.up, nil
}

// WatchLinks implements vrrp.Links.
func (h *Host) WatchLinks(ctx context.Context, fn func(string, bool)) error {
	h.mu.Lock()
	h.watchers = append(h.watchers, fn)
	h.mu.Unlock()
	<-ctx.Done()
	return ctx.Err()
}

var (
	_ vrrp.Sockets   = (*Host)(nil)
	_ vrrp.Addresses = (*Host)(nil)
	_ vrrp.Links     = (*Host)(nil)
)
