package sysctl

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// KeptCapabilities are the capabilities the daemon keeps after dropping to
// global.user: VIPs and routes through netlink, VRRP and ARP/NA raw sockets,
// and ports below 1024 on reload.
var KeptCapabilities = []int{unix.CAP_NET_ADMIN, unix.CAP_NET_RAW, unix.CAP_NET_BIND_SERVICE}

// ErrCgo is returned by DropPrivileges in a binary linked with cgo, where Go
// cannot change the credentials of every thread (syscall.AllThreadsSyscall).
var ErrCgo = errors.New("cannot drop privileges in a binary built with cgo: build it with CGO_ENABLED=0 (make build CGO_ENABLED=0), or run the systemd unit with User= and AmbientCapabilities=")

// DropPrivileges switches the whole process to user and group (names from
// /etc/passwd and /etc/group, or numeric ids; an empty group means the
// user's primary group) and keeps only KeptCapabilities, in the permitted,
// effective, inheritable and ambient sets (ambient so notify scripts get
// them too); every other capability leaves the bounding set. Call it after
// binding listeners, opening raw sockets and the netlink handle.
//
// Empty user and group: nothing to do. Not root but already user and group
// (a systemd unit with User= and AmbientCapabilities=): nothing to do.
func DropPrivileges(user, group string) error {
	if user == "" && group == "" {
		return nil
	}
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil && user != "" {
		return fmt.Errorf("drop privileges: %w", err)
	}
	groups, err := os.ReadFile("/etc/group")
	if err != nil && group != "" {
		return fmt.Errorf("drop privileges: %w", err)
	}
	id, err := resolveIDs(passwd, groups, user, group)
	if err != nil {
		return fmt.Errorf("drop privileges: %w", err)
	}
	if err := dropTo(id); err != nil {
		return fmt.Errorf("drop privileges to user %q group %q: %w", user, group, err)
	}
	return nil
}

func dropTo(id ids) error {
	if os.Geteuid() != 0 {
		if (!id.setUID || os.Geteuid() == id.uid) && os.Getegid() == id.gid {
			return nil
		}
		return fmt.Errorf("running as uid %d, not root", os.Geteuid())
	}
	// Keep the permitted set across setuid on every thread. This is also the
	// probe for cgo, where AllThreadsSyscall always answers ENOTSUP.
	if err := allThreads(unix.SYS_PRCTL, unix.PR_SET_KEEPCAPS, 1, 0); err != nil {
		if errors.Is(err, syscall.ENOTSUP) {
			return ErrCgo
		}
		return fmt.Errorf("prctl(PR_SET_KEEPCAPS): %w", err)
	}
	if err := dropBounding(); err != nil {
		return err
	}
	if err := syscall.Setgroups([]int{id.gid}); err != nil {
		return fmt.Errorf("setgroups: %w", err)
	}
	if err := syscall.Setgid(id.gid); err != nil {
		return fmt.Errorf("setgid(%d): %w", id.gid, err)
	}
	if id.setUID {
		if err := syscall.Setuid(id.uid); err != nil {
			return fmt.Errorf("setuid(%d): %w", id.uid, err)
		}
	}
	if err := setCaps(); err != nil {
		return err
	}
	if err := allThreads(unix.SYS_PRCTL, unix.PR_SET_KEEPCAPS, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_SET_KEEPCAPS, 0): %w", err)
	}
	return verify(id)
}

// dropBounding removes every capability but the kept ones from the bounding
// set of every thread, so no exec can regain them.
func dropBounding() error {
	last := 63
	if v, err := (FS{}).Read("kernel.cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < 64 {
			last = n
		}
	}
	for c := 0; c <= last; c++ {
		if kept(c) {
			continue
		}
		err := allThreads(unix.SYS_PRCTL, unix.PR_CAPBSET_DROP, uintptr(c), 0)
		if errors.Is(err, syscall.EINVAL) {
			break // past the kernel's last capability
		}
		if err != nil {
			return fmt.Errorf("prctl(PR_CAPBSET_DROP, %d): %w", c, err)
		}
	}
	return nil
}

// setCaps sets permitted, effective and inheritable to the kept
// capabilities on every thread, then raises them in the ambient set.
func setCaps() error {
	mask := capMask(KeptCapabilities)
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	for i := range data {
		m := uint32(mask >> (32 * i))
		data[i] = unix.CapUserData{Effective: m, Permitted: m, Inheritable: m}
	}
	if _, _, e := syscall.AllThreadsSyscall(unix.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0); e != 0 {
		return fmt.Errorf("capset: %w", e)
	}
	for _, c := range KeptCapabilities {
		_, _, e := syscall.AllThreadsSyscall6(unix.SYS_PRCTL, unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE, uintptr(c), 0, 0, 0)
		if e == syscall.EINVAL {
			return nil // kernel before 4.3: no ambient set
		}
		if e != 0 {
			return fmt.Errorf("prctl(PR_CAP_AMBIENT_RAISE, %d): %w", c, e)
		}
	}
	return nil
}

// verify reads back the calling thread's credentials.
func verify(id ids) error {
	if id.setUID && (os.Getuid() != id.uid || os.Geteuid() != id.uid) {
		return fmt.Errorf("still uid %d/%d after setuid(%d)", os.Getuid(), os.Geteuid(), id.uid)
	}
	if os.Getgid() != id.gid || os.Getegid() != id.gid {
		return fmt.Errorf("still gid %d/%d after setgid(%d)", os.Getgid(), os.Getegid(), id.gid)
	}
	eff, err := Effective()
	if err != nil {
		return err
	}
	if want := capMask(KeptCapabilities); eff != want {
		return fmt.Errorf("effective capabilities are %#x, want %#x", eff, want)
	}
	return nil
}

// Effective returns the calling thread's effective capability set as a bit
// mask (bit n = capability n), as /proc/self/status shows it in CapEff.
func Effective() (uint64, error) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return 0, fmt.Errorf("capget: %w", err)
	}
	return uint64(data[0].Effective) | uint64(data[1].Effective)<<32, nil
}

func capMask(cs []int) uint64 {
	var m uint64
	for _, c := range cs {
		m |= 1 << uint(c)
	}
	return m
}

func kept(c int) bool {
	for _, k := range KeptCapabilities {
		if k == c {
			return true
		}
	}
	return false
}

func allThreads(trap, a1, a2, a3 uintptr) error {
	if _, _, e := syscall.AllThreadsSyscall(trap, a1, a2, a3); e != 0 {
		return e
	}
	return nil
}
