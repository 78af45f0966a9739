package proxy

import (
	"errors"
	"io"
	"net"
	"time"

	"haappliance/proxy/h1"
)

// pump streams one message body from src to dst through buf without
// holding it whole: buf[*r:*w] are bytes already read from src. The head
// of the message (prefix) is written together with the first body bytes
// when they fit, so a small message costs one write.
type pump struct {
	src    net.Conn
	srcTO  time.Duration // inactivity timeout on reads (0: none)
	srcDL  *lazyDL       // src's read deadline
	dst    net.Conn
	dstTO  time.Duration
	dstDL  *lazyDL // dst's write deadline
	buf    []byte
	r, w   *int
	prefix []byte
	n      int64 // body bytes written
}

// Pump failure sides.
const (
	sideSrc     = iota // reading the source failed or timed out
	sideDst            // writing the destination failed or timed out
	sideFraming        // the source's chunked framing is invalid
)

type pumpError struct {
	side int
	err  error
}

func (e *pumpError) Error() string { return e.err.Error() }
func (e *pumpError) Unwrap() error { return e.err }

func pumpSide(err error) int {
	var pe *pumpError
	if errors.As(err, &pe) {
		return pe.side
	}
	return sideDst
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func deadline(to time.Duration) time.Time {
	if to <= 0 {
		return time.Time{}
	}
	return time.Now().Add(to)
}

// lazyDL is the deadline last set on one direction (read or write) of a
// connection. Setting a deadline costs two clock reads, a lock and a
// runtime timer update; a keep-alive connection would pay that several
// times per request for timeouts of seconds that never fire. arm moves the
// deadline only when the one in place would fire early or more than
// dlSlack(to) late, so a timeout fires up to 1/16 of itself (at most
// 250ms) late, and a busy connection re-arms a few times per second
// instead of per request. Code that sets a deadline directly on the
// connection calls forget.
type lazyDL struct {
	at  time.Time // the deadline in place (zero: none)
	set bool      // at is known
}

// dlSlack is how late a timeout of to may fire.
func dlSlack(to time.Duration) time.Duration {
	return min(to/16, 250*time.Millisecond)
}

// Deadline directions.
const (
	dlRead  = false
	dlWrite = true
)

// arm makes the deadline of c's direction now+to (to <= 0: none), give or
// take the slack.
func (d *lazyDL) arm(c net.Conn, write bool, now time.Time, to time.Duration) {
	var at time.Time
	if to > 0 {
		want := now.Add(to)
		if d.set && !d.at.IsZero() && !d.at.Before(want) && d.at.Sub(want) <= dlSlack(to) {
			return
		}
		at = want.Add(dlSlack(to))
	} else if d.set && d.at.IsZero() {
		return
	}
	d.setAt(c, write, at)
}

// setAt sets the deadline to exactly at.
func (d *lazyDL) setAt(c net.Conn, write bool, at time.Time) {
	d.at, d.set = at, true
	if write {
		_ = c.SetWriteDeadline(at)
	} else {
		_ = c.SetReadDeadline(at)
	}
}

// forget marks the deadline unknown (it was set directly on the
// connection): the next arm sets it.
func (d *lazyDL) forget() { d.set = false }

// armDL sets a deadline through d when there is one, directly otherwise.
func armDL(d *lazyDL, c net.Conn, write bool, to time.Duration) {
	if d != nil {
		d.arm(c, write, time.Now(), to)
		return
	}
	if write {
		_ = c.SetWriteDeadline(deadline(to))
	} else {
		_ = c.SetReadDeadline(deadline(to))
	}
}

// write sends data to dst, after the pending prefix.
func (p *pump) write(data []byte) error {
	var b []byte
	switch {
	case p.prefix == nil:
		b = data
	case len(p.prefix)+len(data) <= cap(p.prefix):
		b = append(p.prefix, data...)
		p.prefix = nil
	default:
		if err := p.writeRaw(p.prefix); err != nil {
			return err
		}
		p.prefix = nil
		b = data
	}
	if len(b) == 0 {
		return nil
	}
	if err := p.writeRaw(b); err != nil {
		return err
	}
	p.n += int64(len(data))
	return nil
}

func (p *pump) writeRaw(b []byte) error {
	armDL(p.dstDL, p.dst, dlWrite, p.dstTO)
	if _, err := p.dst.Write(b); err != nil {
		return &pumpError{side: sideDst, err: err}
	}
	return nil
}

// flush writes a prefix that no body byte followed.
func (p *pump) flush() error {
	if p.prefix == nil {
		return nil
	}
	b := p.prefix
	p.prefix = nil
	return p.writeRaw(b)
}

// fill reads more bytes into the (consumed) buffer.
func (p *pump) fill() error {
	*p.r, *p.w = 0, 0
	armDL(p.srcDL, p.src, dlRead, p.srcTO)
	n, err := p.src.Read(p.buf)
	*p.w = n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return &pumpError{side: sideSrc, err: err}
}

// fixed forwards n body bytes.
func (p *pump) fixed(n int64) error {
	for n > 0 {
		if *p.r == *p.w {
			if err := p.flush(); err != nil {
				return err
			}
			if err := p.fill(); err != nil {
				return err
			}
		}
		k := min(n, int64(*p.w-*p.r))
		if err := p.write(p.buf[*p.r : *p.r+int(k)]); err != nil {
			return err
		}
		*p.r += int(k)
		n -= k
	}
	return p.flush()
}

// chunked forwards a chunked body verbatim up to its end, validating the
// framing as it goes.
func (p *pump) chunked(sc *h1.ChunkedScanner) error {
	for {
		if *p.r == *p.w {
			if err := p.flush(); err != nil {
				return err
			}
			if err := p.fill(); err != nil {
				return err
			}
		}
		n, done, err := sc.Scan(p.buf[*p.r:*p.w])
		if n > 0 {
			if werr := p.write(p.buf[*p.r : *p.r+n]); werr != nil {
				return werr
			}
			*p.r += n
		}
		if err != nil {
			return &pumpError{side: sideFraming, err: err}
		}
		if done {
			return p.flush()
		}
	}
}

// untilClose forwards everything until src ends.
func (p *pump) untilClose() error {
	for {
		if *p.r < *p.w {
			if err := p.write(p.buf[*p.r:*p.w]); err != nil {
				return err
			}
			*p.r = *p.w
		}
		if err := p.flush(); err != nil {
			return err
		}
		if err := p.fill(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// body forwards a body of the given mode.
func (p *pump) body(mode h1.BodyMode, length int64) error {
	switch mode {
	case h1.BodyLength:
		return p.fixed(length)
	case h1.BodyChunked:
		var sc h1.ChunkedScanner
		return p.chunked(&sc)
	case h1.BodyUntilClose:
		return p.untilClose()
	}
	return p.flush()
}
