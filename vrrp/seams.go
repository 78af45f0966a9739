package vrrp

import (
	"context"
	"net/netip"
	"time"

	"github.com/sirupsen/logrus"
)

// The kernel seams of the speaker: the Linux implementations are in
// hostnet_linux.go; tests pass fakes (vrrp/vrrptest).

// Conn is a raw IP protocol 112 socket on one interface for one address
// family, with the VRRP multicast group joined when asked.
type Conn interface {
	// ReadFrom reads one VRRP message (without the IP header) into b and
	// returns its length, source, destination and TTL / hop limit.
	ReadFrom(b []byte) (n int, src, dst netip.Addr, ttl int, err error)
	// WriteTo sends one VRRP message from src to dst, with TTL / hop limit
	// 255 and precedence 6, as keepalived does.
	WriteTo(msg []byte, src, dst netip.Addr) error
	// Close leaves the multicast group and closes the socket; it makes a
	// blocked ReadFrom return.
	Close() error
}

// Sockets opens Conns.
type Sockets interface {
	Listen(ifname string, v6, multicast bool) (Conn, error)
}

// Addresses manages and announces the virtual addresses.
type Addresses interface {
	// AddVIP adds vip to the interface, with label for IPv4 and without
	// duplicate address detection for IPv6. Adding a present address is
	// not an error.
	AddVIP(ifname string, vip netip.Prefix, label string) error
	// DelVIP removes vip; removing an absent address is not an error.
	DelVIP(ifname string, vip netip.Prefix) error
	// PrimaryAddr is the address adverts are sent from: the interface's
	// primary IPv4 address, or its IPv6 link-local address, skipping the
	// prefixes in exclude (the VIPs).
	PrimaryAddr(ifname string, v6 bool, exclude []netip.Prefix) (netip.Addr, error)
	// Announce sends repeat gratuitous ARPs (IPv4) or unsolicited NAs (IPv6)
	// for each address, from the interface's MAC.
	Announce(ifname string, vips []netip.Addr, repeat int) error
}

// Links reports link state.
type Links interface {
	LinkUp(ifname string) (bool, error)
	// WatchLinks calls fn on every link change until ctx is done.
	WatchLinks(ctx context.Context, fn func(ifname string, up bool)) error
}

// ScriptRunner runs a notify script; it must honour ctx's deadline.
type ScriptRunner func(ctx context.Context, argv []string) error

// Options are the collaborators of a Group. Nil kernel seams are replaced
// by the host's (Linux netlink and raw sockets) when the Group runs.
type Options struct {
	Log           *logrus.Entry
	Sockets       Sockets
	Addresses     Addresses
	Links         Links
	RunScript     ScriptRunner  // default: exec without a shell
	ScriptTimeout time.Duration // default 30s; the script is killed after it
}

func (o *Options) scriptTimeout() time.Duration {
	if o.ScriptTimeout > 0 {
		return o.ScriptTimeout
	}
	return 30 * time.Second
}

func (o *Options) logf(format string, args ...any) {
	if o.Log != nil {
		o.Log.Warnf(format, args...)
	}
}

// fillHost puts the host's implementations in place of nil seams.
func (o *Options) fillHost() error {
	if o.Sockets != nil && o.Addresses != nil && o.Links != nil {
		return nil
	}
	h, err := newHostNet()
	if err != nil {
		return err
	}
	if o.Sockets == nil {
		o.Sockets = h
	}
	if o.Addresses == nil {
		o.Addresses = h
	}
	if o.Links == nil {
		o.Links = h
	}
	return nil
}
