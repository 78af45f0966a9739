package lab

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// AddrWatch follows one address on a host through a netlink subscription
// in its namespace, so failover times are measured from kernel events,
// not from polling.
type AddrWatch struct {
	h    *Host
	addr netip.Addr
	ch   chan netlink.AddrUpdate
	done chan struct{}
	ns   netns.NsHandle
}

// WatchAddr subscribes to address changes on the host. Create it before
// the action whose effect is measured.
func (h *Host) WatchAddr(a netip.Addr) (*AddrWatch, error) {
	ns, err := netns.GetFromName(h.NS)
	if err != nil {
		return nil, fmt.Errorf("lab: namespace %s: %w", h.NS, err)
	}
	w := &AddrWatch{h: h, addr: a, ch: make(chan netlink.AddrUpdate, 256), done: make(chan struct{}), ns: ns}
	if err := netlink.AddrSubscribeWithOptions(w.ch, w.done, netlink.AddrSubscribeOptions{Namespace: &ns}); err != nil {
		ns.Close()
		return nil, fmt.Errorf("lab: subscribe in %s: %w", h.NS, err)
	}
	return w, nil
}

// Wait returns when the address is present (want) or absent, with the
// time the kernel reported it (now, if it already was), or an error after
// timeout.
func (w *AddrWatch) Wait(ctx context.Context, want bool, timeout time.Duration) (time.Time, error) {
	// Drain what is queued first, so a change that already happened counts
	// at its own time.
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	checked := false
	for {
		select {
		case u := <-w.ch:
			if a, ok := netip.AddrFromSlice(u.LinkAddress.IP); ok && a.Unmap() == w.addr && u.NewAddr == want {
				return time.Now(), nil
			}
			continue
		default:
		}
		if !checked {
			checked = true
			has, err := w.h.HasAddr(ctx, w.addr)
			if err != nil {
				return time.Time{}, err
			}
			if has == want {
				return time.Now(), nil
			}
		}
		select {
		case u := <-w.ch:
			if a, ok := netip.AddrFromSlice(u.LinkAddress.IP); ok && a.Unmap() == w.addr && u.NewAddr == want {
				return time.Now(), nil
			}
		case <-deadline.C:
			return time.Time{}, fmt.Errorf("lab: %s: %s present=%v not seen within %v", w.h.Name, w.addr, want, timeout)
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		}
	}
}

// Close ends the subscription.
func (w *AddrWatch) Close() {
	close(w.done)
	w.ns.Close()
}

// Drain forgets the changes seen so far, so the next Wait measures what
// happens from now on.
func (w *AddrWatch) Drain() {
	for {
		select {
		case <-w.ch:
		default:
			return
		}
	}
}
