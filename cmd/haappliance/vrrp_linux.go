package main

import (
	"fmt"
	"net"
	"sync"
	"syscall"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"haappliance/proxy"
	"haappliance/vrrp"
)

// hostSockets is the host's raw-socket implementation, wrapped by the
// runner to learn when the group's sockets are open.
func hostSockets() (vrrp.Sockets, error) { return vrrp.HostNet(), nil }

// vipListeners opens the proxy's listeners when VRRP runs, and quiets them
// for a graceful stop. Both serve SPEC §3's promise that a client loop
// through the VIP sees no failed request while the master hands over:
//
//   - Listeners are IP_TRANSPARENT (best effort: it needs CAP_NET_ADMIN or
//     CAP_NET_RAW, which the daemon keeps), a flag accepted connections
//     inherit, so a connection accepted on a VIP can still send its
//     response after the VIP was removed; the kernel otherwise refuses to
//     route packets from an address the host no longer has. Without TPROXY
//     rules the flag changes nothing else.
//   - Quiesce attaches a drop-all socket filter to every listener: new
//     SYNs are dropped silently (no SYN-ACK, no RST), so clients retry
//     them after their SYN timeout, by when the new master has announced
//     the VIP; connections already accepted keep being served.
type vipListeners struct {
	mu  sync.Mutex
	lns []syscall.RawConn
}

func (v *vipListeners) Listen(network, addr string) (net.Listener, error) {
	ln, err := proxy.ListenControl(network, addr, func(network, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) {
			_ = unix.SetsockoptInt(int(fd), unix.SOL_IP, unix.IP_TRANSPARENT, 1)
			if network == "tcp6" {
				_ = unix.SetsockoptInt(int(fd), unix.SOL_IPV6, unix.IPV6_TRANSPARENT, 1)
			}
		})
	})
	if err != nil {
		return nil, err
	}
	if tl, ok := ln.(*net.TCPListener); ok {
		if rc, err := tl.SyscallConn(); err == nil {
			v.mu.Lock()
			v.lns = append(v.lns, rc)
			v.mu.Unlock()
		}
	}
	return ln, nil
}

// quiesceFilter drops a TCP segment with SYN set and ACK clear (a new
// connection attempt) and keeps every other one. A listener's filter sees
// the segment from its TCP header (byte 13: the flags), and a socket the
// kernel creates from the listener inherits the filter: a drop-all filter
// would also starve connections whose handshake completed after it was set.
var quiesceFilter = []bpf.Instruction{
	bpf.LoadAbsolute{Off: 13, Size: 1},
	bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0x12}, // SYN | ACK
	bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x02, SkipTrue: 1},
	bpf.RetConstant{Val: 0xffffffff},
	bpf.RetConstant{Val: 0},
}

// Quiesce makes every listener drop new connection attempts silently: the
// clients retry their SYN a second later and reach the next master. It
// returns the first listener it could not quiet (that listener keeps
// accepting: its connections may be reset when the VIP moves).
func (v *vipListeners) Quiesce() error {
	prog, err := bpf.Assemble(quiesceFilter)
	if err != nil {
		return err
	}
	filter := make([]unix.SockFilter, len(prog))
	for i, ins := range prog {
		filter[i] = unix.SockFilter{Code: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	fprog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	v.mu.Lock()
	defer v.mu.Unlock()
	var first error
	for _, rc := range v.lns {
		cerr := rc.Control(func(fd uintptr) {
			err = unix.SetsockoptSockFprog(int(fd), unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &fprog)
		})
		if cerr == nil && err != nil {
			cerr = fmt.Errorf("socket filter: %w", err)
		}
		if first == nil && cerr != nil {
			first = cerr
		}
	}
	return first
}
