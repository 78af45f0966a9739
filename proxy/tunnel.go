package proxy

import (
	"net"
	"sync"
	"time"
)

// tunnel relays bytes both ways after a 101 Switching Protocols (WebSocket)
// until both directions end. Each direction has its own inactivity
// timeout (timeout tunnel, else client/server). When one side finishes
// sending, the other side's write half is closed so the end propagates.
// cbuf[*cr:*cw] and sbuf[*sr:*sw] are bytes already read from the client
// and the server.
func tunnel(client net.Conn, clientTO time.Duration, cbuf []byte, cr, cw *int,
	server net.Conn, serverTO time.Duration, sbuf []byte, sr, sw *int) (up, down int64) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		down = tunnelCopyServerToClient(&pump{src: server, srcTO: serverTO, dst: client, dstTO: clientTO, buf: sbuf, r: sr, w: sw})
		closeWrite(client)
	}()
	up = tunnelCopyClientToServer(&pump{src: client, srcTO: clientTO, dst: server, dstTO: serverTO, buf: cbuf, r: cr, w: cw})
	closeWrite(server)
	wg.Wait()
	return up, down
}

func tunnelCopyClientToServer(p *pump) int64 { return tunnelCopy(p) }
func tunnelCopyServerToClient(p *pump) int64 { return tunnelCopy(p) }

func tunnelCopy(p *pump) int64 {
	if err := p.untilClose(); err != nil {
		// A timeout or reset on one side ends the whole tunnel.
		_ = p.src.Close()
		_ = p.dst.Close()
	}
	return p.n
}

// closeWrite half-closes c when it supports it, else closes it.
func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
		return
	}
	_ = c.Close()
}
