package proxy

import (
	"bufio"
	"net"
)

type netConn = net.Conn

func newReader(c net.Conn) *bufio.Reader { return bufio.NewReader(c) }

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
