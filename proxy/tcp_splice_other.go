//go:build !linux

package proxy

import (
	"errors"
	"net"
	"syscall"
)

// splicePipe does not exist here: rawTCP finds nothing to splice.
type splicePipe struct{}

func newSplicePipe() (*splicePipe, error) { return nil, errors.ErrUnsupported }

func (p *splicePipe) close() {}

// rawTCP: only the runtime splices here (between two *net.TCPConn).
func rawTCP(net.Conn) syscall.RawConn { return nil }

func spliceConns(_, _ syscall.RawConn, _ *splicePipe) (int64, error) {
	return 0, errors.ErrUnsupported
}

// tcpCloseWrite is closeWrite here.
func tcpCloseWrite(c net.Conn, _ syscall.RawConn) { closeWrite(c) }

// rawIO has nothing to keep here: the copy uses Read and Write.
type rawIO struct{}

func (st *copyState) read(src net.Conn) (int, error) { return src.Read(st.buf) }

func (st *copyState) write(dst net.Conn, n int) (int, error) { return dst.Write(st.buf[:n]) }
