package checks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// Checker runs one check. A Result with StatusUnknown means the check was
// abandoned because ctx ended; it counts neither way.
type Checker interface {
	Check(ctx context.Context) Result
}

// CheckerFunc adapts a function to Checker.
type CheckerFunc func(ctx context.Context) Result

// Check calls f.
func (f CheckerFunc) Check(ctx context.Context) Result { return f(ctx) }

// Dialer opens the check connection; *net.Dialer is one.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Spec says what to check.
type Spec struct {
	Addr   string     // host:port of the server (or of its check port)
	HTTP   *HTTPCheck // nil: a TCP connect check
	Dialer Dialer     // nil: a net.Dialer
}

// Validate returns every problem of the spec.
func (s Spec) Validate() error {
	if _, _, err := net.SplitHostPort(s.Addr); err != nil {
		return fmt.Errorf("check address %q: %w", s.Addr, err)
	}
	if s.HTTP != nil {
		if ps := s.HTTP.Validate(); len(ps) > 0 {
			return fmt.Errorf("httpchk: %s", ps[0])
		}
	}
	return nil
}

// connChecker checks over a real connection. It is not safe for concurrent
// use: a Monitor runs one check at a time.
type connChecker struct {
	addr       string
	dialer     Dialer
	params     Params
	request    []byte // nil: TCP connect check
	expect     []statusRange
	disable404 bool
	buf        []byte
}

// NewChecker builds the Checker for spec with p's timeouts.
func NewChecker(spec Spec, p Params) (Checker, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	c := &connChecker{addr: spec.Addr, dialer: spec.Dialer, params: p}
	if c.dialer == nil {
		c.dialer = &net.Dialer{}
	}
	if h := spec.HTTP; h != nil {
		c.request = h.Request()
		c.disable404 = h.DisableOn404
		c.expect, _ = parseExpect(h.expect()) // validated above
		c.buf = make([]byte, 0, 1024)
	}
	return c, nil
}

// Check runs one check.
func (c *connChecker) Check(ctx context.Context) Result {
	start := time.Now()
	dctx, cancel := context.WithTimeout(ctx, c.params.ConnectDeadline())
	conn, err := c.dialer.DialContext(dctx, "tcp", c.addr)
	timedOut := dctx.Err() == context.DeadlineExceeded
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return Result{}
		}
		if timedOut || isTimeout(err) {
			return Result{Status: StatusL4Timeout, Duration: time.Since(start)}
		}
		info := strerror(err)
		if info == "" {
			info = err.Error()
		}
		return Result{Status: StatusL4Con, Info: info, Duration: time.Since(start)}
	}
	if c.request == nil {
		// Like HAProxy, close a pure connect check with a reset so checks
		// leave no TIME_WAIT sockets behind.
		if l, ok := conn.(interface{ SetLinger(int) error }); ok {
			_ = l.SetLinger(0)
		}
		conn.Close()
		return Result{Status: StatusL4OK, Duration: time.Since(start)}
	}
	defer conn.Close()
	return c.httpExchange(ctx, conn, start)
}

// httpExchange sends the request and judges the response head.
func (c *connChecker) httpExchange(ctx context.Context, conn net.Conn, start time.Time) Result {
	d, fromConnect := c.params.ResponseDeadline()
	deadline := start.Add(d)
	if fromConnect {
		deadline = time.Now().Add(d)
	}
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	fail := func(err error) Result {
		switch {
		case ctx.Err() != nil:
			return Result{}
		case isTimeout(err):
			return Result{Status: StatusL7Timeout, Duration: time.Since(start)}
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			return Result{Status: StatusL7Response, Duration: time.Since(start)}
		}
		info := strerror(err)
		if info == "" {
			info = err.Error()
		}
		return Result{Status: StatusSockErr, Info: info, Duration: time.Since(start)}
	}
	if _, err := conn.Write(c.request); err != nil {
		return fail(err)
	}
	buf := c.buf[:0]
	for {
		if len(buf) == cap(buf) {
			if cap(buf) >= maxResponseHead {
				return Result{Status: StatusL7Response, Duration: time.Since(start)}
			}
			nb := make([]byte, len(buf), min(2*cap(buf), maxResponseHead))
			copy(nb, buf)
			buf = nb
			c.buf = nb[:0]
		}
		n, err := conn.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if n > 0 {
			h, done, perr := parseResponseHead(buf)
			if perr != nil {
				return Result{Status: StatusL7Response, Duration: time.Since(start)}
			}
			if done {
				return c.judge(h, time.Since(start))
			}
		}
		if err != nil {
			return fail(err)
		}
	}
}

// judge maps a complete response head to L7OK, L7OKC or L7STS.
func (c *connChecker) judge(h responseHead, d time.Duration) Result {
	if c.disable404 && h.code == 404 {
		return Result{Status: StatusL7OKCond, Code: h.code, Duration: d}
	}
	for _, r := range c.expect {
		if h.code >= r.lo && h.code <= r.hi {
			return Result{Status: StatusL7OK, Code: h.code, Duration: d}
		}
	}
	return Result{Status: StatusL7Status, Code: h.code, Info: string(h.reason), Duration: d}
}

func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
