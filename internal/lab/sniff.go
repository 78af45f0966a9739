package lab

import (
	"fmt"
	"net/netip"
	"runtime"
	"time"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Sniffer receives the IPv4 VRRP packets (IP protocol 112) arriving in a
// host's namespace, so a benchmark can time an action against the master's
// advert timer.
type Sniffer struct {
	fd int
}

// SniffVRRP opens a raw protocol 112 socket inside the host's namespace.
func (h *Host) SniffVRRP() (*Sniffer, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		return nil, err
	}
	defer orig.Close()
	target, err := netns.GetFromName(h.NS)
	if err != nil {
		return nil, err
	}
	defer target.Close()
	if err := netns.Set(target); err != nil {
		return nil, err
	}
	fd, serr := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 112)
	if err := netns.Set(orig); err != nil {
		// The thread is in the wrong namespace: let it die with the lock.
		runtime.LockOSThread()
		return nil, fmt.Errorf("lab: cannot return to the original namespace: %w", err)
	}
	if serr != nil {
		return nil, fmt.Errorf("lab: raw socket in %s: %w", h.NS, serr)
	}
	return &Sniffer{fd: fd}, nil
}

// Next waits up to timeout for an advert from src and returns the time it
// was read, after discarding anything queued before the call.
func (s *Sniffer) Next(src netip.Addr, timeout time.Duration) (time.Time, error) {
	buf := make([]byte, 2048)
	for {
		if _, _, err := unix.Recvfrom(s.fd, buf, unix.MSG_DONTWAIT); err != nil {
			break
		}
	}
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return time.Time{}, fmt.Errorf("lab: no VRRP packet from %s within %v", src, timeout)
		}
		tv := unix.NsecToTimeval(left.Nanoseconds())
		unix.SetsockoptTimeval(s.fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
		n, _, err := unix.Recvfrom(s.fd, buf, 0)
		if err != nil {
			if err == unix.EAGAIN || err == unix.EINTR {
				continue
			}
			return time.Time{}, err
		}
		if n >= 20 && netip.AddrFrom4([4]byte(buf[12:16])) == src {
			return time.Now(), nil
		}
	}
}

// Close closes the socket.
func (s *Sniffer) Close() error { return unix.Close(s.fd) }
