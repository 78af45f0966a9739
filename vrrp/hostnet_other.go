//go:build !linux

package vrrp

import "errors"

type hostNet struct {
	Sockets
	Addresses
	Links
}

func newHostNet() (*hostNet, error) {
	return nil, errors.New("vrrp: the VRRP speaker needs Linux (raw sockets, netlink)")
}
