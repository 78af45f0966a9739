//go:build !linux

package main

import (
	"errors"
	"net"

	"haappliance/proxy"
	"haappliance/vrrp"
)

func hostSockets() (vrrp.Sockets, error) {
	return nil, errors.New("vrrp: the VRRP speaker needs Linux (raw sockets, netlink)")
}

// vipListeners has nothing to add outside Linux.
type vipListeners struct{}

func (*vipListeners) Listen(network, addr string) (net.Listener, error) {
	return proxy.Listen(network, addr)
}
func (*vipListeners) Quiesce() error { return nil }
