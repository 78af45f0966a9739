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
	dst    net.Conn
	dstTO  time.Duration
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
	_ = p.dst.SetWriteDeadline(deadline(p.dstTO))
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
	_ = p.src.SetReadDeadline(deadline(p.srcTO))
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
