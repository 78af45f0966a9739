package proxyproto

import (
	"errors"
	"io"
	"net"
	"time"
)

// Read consumes one PROXY header from r. It reads in chunks, so it may
// read past the header: the bytes after it are returned as rest and
// belong to the stream. Read never waits for more bytes than the header
// needs: a client that sends a header and then waits for the server to
// speak first (SMTP, MySQL) is not stalled.
func Read(r io.Reader) (h Header, rest []byte, err error) {
	buf := make([]byte, 0, 256)
	for {
		if len(buf) > 0 {
			var n int
			h, n, err = Parse(buf)
			if err == nil {
				if n < len(buf) {
					rest = buf[n:len(buf):len(buf)]
				}
				return h, rest, nil
			}
			if !errors.Is(err, ErrIncomplete) {
				return Header{}, nil, err
			}
		}
		if len(buf) == cap(buf) {
			nb := make([]byte, len(buf), min(2*cap(buf), MaxHeaderLen))
			copy(nb, buf)
			buf = nb
		}
		n, rerr := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if n == 0 && rerr != nil {
			if errors.Is(rerr, io.EOF) {
				if len(buf) == 0 {
					return Header{}, nil, io.EOF
				}
				return Header{}, nil, io.ErrUnexpectedEOF
			}
			return Header{}, nil, rerr
		}
	}
}

// Conn is a connection whose PROXY header was consumed. Its RemoteAddr
// and LocalAddr are the header's addresses when it carries them; Read
// returns the bytes read past the header first.
type Conn struct {
	net.Conn
	hdr  Header
	rest []byte
}

// NewConn reads the PROXY header from c, waiting at most timeout (0: no
// limit; the deadline is cleared afterwards). On error the caller closes c.
func NewConn(c net.Conn, timeout time.Duration) (*Conn, error) {
	if timeout > 0 {
		_ = c.SetReadDeadline(time.Now().Add(timeout))
	}
	h, rest, err := Read(c)
	if timeout > 0 {
		_ = c.SetReadDeadline(time.Time{})
	}
	if err != nil {
		return nil, err
	}
	return &Conn{Conn: c, hdr: h, rest: rest}, nil
}

// Header returns the decoded header.
func (c *Conn) Header() Header { return c.hdr }

// Read returns the bytes read past the header, then reads from the
// connection.
func (c *Conn) Read(p []byte) (int, error) {
	if len(c.rest) > 0 {
		n := copy(p, c.rest)
		c.rest = c.rest[n:]
		if len(c.rest) == 0 {
			c.rest = nil
		}
		return n, nil
	}
	return c.Conn.Read(p)
}

// Buffered returns and forgets the bytes read past the header that Read
// has not returned yet. A caller that forwards them itself can then use
// NetConn directly (so io.Copy between *net.TCPConn can splice).
func (c *Conn) Buffered() []byte {
	b := c.rest
	c.rest = nil
	return b
}

// NetConn returns the underlying connection.
func (c *Conn) NetConn() net.Conn { return c.Conn }

// RemoteAddr is the client address of the header, else the connection's.
func (c *Conn) RemoteAddr() net.Addr {
	if c.hdr.Known() {
		return net.TCPAddrFromAddrPort(c.hdr.Src)
	}
	return c.Conn.RemoteAddr()
}

// LocalAddr is the destination address of the header, else the
// connection's.
func (c *Conn) LocalAddr() net.Addr {
	if c.hdr.Known() {
		return net.TCPAddrFromAddrPort(c.hdr.Dst)
	}
	return c.Conn.LocalAddr()
}

// CloseWrite half-closes the underlying connection when it can.
func (c *Conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Conn.Close()
}
