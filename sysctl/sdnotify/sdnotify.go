package sdnotify

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Notifier sends state changes to systemd. A nil *Notifier, or one from
// FromEnv without $NOTIFY_SOCKET (not started by systemd), ignores every
// message and returns nil, so callers need no "under systemd?" branches.
type Notifier struct {
	addr      string
	monotonic func() time.Duration // CLOCK_MONOTONIC since boot
}

// New returns a Notifier for the socket at addr: a file path, or '@' and an
// abstract socket name. An empty addr gives a Notifier that sends nothing.
func New(addr string) *Notifier {
	return &Notifier{addr: addr, monotonic: monotonic}
}

// FromEnv returns a Notifier for $NOTIFY_SOCKET. It does not unset the
// variable; the caller may, so child processes do not inherit it.
func FromEnv() *Notifier { return New(os.Getenv("NOTIFY_SOCKET")) }

// Enabled reports whether messages go anywhere.
func (n *Notifier) Enabled() bool { return n != nil && n.addr != "" }

// Ready says start-up is complete: listeners are bound and VRRP runs.
// After a reload it also ends the RELOADING state.
func (n *Notifier) Ready() error { return n.Send("READY=1") }

// Reloading says a reload started; send Ready when it is done.
func (n *Notifier) Reloading() error {
	if !n.Enabled() {
		return nil
	}
	usec := n.monotonic() / time.Microsecond
	return n.Send("RELOADING=1", "MONOTONIC_USEC="+strconv.FormatInt(int64(usec), 10))
}

// Stopping says a graceful stop started.
func (n *Notifier) Stopping() error { return n.Send("STOPPING=1") }

// Status sets the line `systemctl status` shows. Newlines become spaces.
func (n *Notifier) Status(s string) error {
	return n.Send("STATUS=" + strings.NewReplacer("\n", " ", "\r", " ").Replace(s))
}

// Send sends the assignments in one datagram. Each must be VARIABLE=value
// without a newline.
func (n *Notifier) Send(assignments ...string) error {
	if !n.Enabled() {
		return nil
	}
	var b strings.Builder
	for _, a := range assignments {
		if i := strings.IndexByte(a, '='); i <= 0 || strings.ContainsAny(a, "\n") {
			return fmt.Errorf("sd_notify: bad assignment %q", a)
		}
		b.WriteString(a)
		b.WriteByte('\n')
	}
	return n.send([]byte(b.String()))
}

func (n *Notifier) send(msg []byte) error {
	if !strings.HasPrefix(n.addr, "/") && !strings.HasPrefix(n.addr, "@") {
		return fmt.Errorf("sd_notify: NOTIFY_SOCKET %q is neither a path nor an abstract '@' name", n.addr)
	}
	// x/sys/unix maps a leading '@' to the abstract namespace. No "net":
	// a package that links it may pull in cgo, and privilege dropping needs
	// a binary without cgo.
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("sd_notify: socket: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Sendto(fd, msg, unix.MSG_NOSIGNAL, &unix.SockaddrUnix{Name: n.addr}); err != nil {
		return fmt.Errorf("sd_notify: send to %s: %w", n.addr, err)
	}
	return nil
}

func monotonic() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
