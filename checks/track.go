package checks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// Probe is one health test the VRRP tracker runs; nil means healthy.
type Probe interface {
	Check(ctx context.Context) error
}

// Errors a Probe returns, wrapped with details.
var (
	ErrTooFewUp    = errors.New("too few servers up")
	ErrNoResponse  = errors.New("no HTTP status line")
	ErrUnreachable = errors.New("frontend unreachable")
)

// DefaultProbeTimeout bounds a FrontendProbe without a Timeout.
const DefaultProbeTimeout = 2 * time.Second

// FrontendProbe checks a frontend through its own listener, as a client
// would: a TCP connect for a tcp-mode frontend, and for an http-mode
// frontend a `GET URI HTTP/1.1` request answered by a complete status line.
//
// Any status counts as alive, 5xx included: a 503 proves that this node's
// proxy accepts and answers; the pool behind it is shared by both VRRP
// nodes, so moving the VIP would not help (track the backend with
// BackendMinUp for that).
type FrontendProbe struct {
	// Addr is the frontend's bind address. Wildcards are probed on
	// loopback: "*:9001", ":9001" and "0.0.0.0:9001" become
	// "127.0.0.1:9001"; "[::]:9001" becomes "[::1]:9001".
	Addr    string
	HTTP    bool
	URI     string        // default "/"
	Host    string        // Host header; default the probed address
	Timeout time.Duration // whole probe; default DefaultProbeTimeout
	Dialer  Dialer        // default net.Dialer
}

// ProbeAddr returns the address the probe connects to (wildcards mapped to
// loopback).
func ProbeAddr(bind string) string {
	host, port, err := net.SplitHostPort(bind)
	if err != nil {
		return bind
	}
	switch host {
	case "", "*", "0.0.0.0":
		host = "127.0.0.1"
	case "::", "[::]":
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}

// Check runs the probe once.
func (f *FrontendProbe) Check(ctx context.Context) error {
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = DefaultProbeTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d Dialer = &net.Dialer{}
	if f.Dialer != nil {
		d = f.Dialer
	}
	addr := ProbeAddr(f.Addr)
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrUnreachable, addr, err)
	}
	defer conn.Close()
	if !f.HTTP {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	uri, host := f.URI, f.Host
	if uri == "" {
		uri = "/"
	}
	if host == "" {
		host = addr
	}
	req := "GET " + uri + " HTTP/1.1\r\nhost: " + host + "\r\nuser-agent: haappliance-track\r\nconnection: close\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrNoResponse, addr, err)
	}
	var buf [512]byte
	n := 0
	for {
		m, err := conn.Read(buf[n:])
		n += m
		if line, _, ok := cutLine(buf[:n]); ok {
			if _, perr := parseStatusLine(line); perr != nil {
				return fmt.Errorf("%w: %s: %w", ErrNoResponse, addr, perr)
			}
			return nil
		}
		if perr := statusLinePrefixOK(buf[:n]); perr != nil {
			return fmt.Errorf("%w: %s: %w", ErrNoResponse, addr, perr)
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrNoResponse, addr, err)
		}
		if n == len(buf) {
			return fmt.Errorf("%w: %s: status line too long", ErrNoResponse, addr)
		}
	}
}

// BackendMinUp returns a Probe that holds while up() reports at least min
// servers UP (min below 1 counts as 1). up is called on every Check and must
// be safe for concurrent use.
func BackendMinUp(up func() int, min int) Probe {
	if min < 1 {
		min = 1
	}
	return backendMinUp{up: up, min: min}
}

type backendMinUp struct {
	up  func() int
	min int
}

func (b backendMinUp) Check(context.Context) error {
	if n := b.up(); n < b.min {
		return fmt.Errorf("%w: %d up, %d wanted", ErrTooFewUp, n, b.min)
	}
	return nil
}
