package vrrp

import (
	"errors"
	"net/netip"
)

// Received is an advertisement as read from a socket: the VRRP message and
// what the IP layer said about it.
type Received struct {
	Msg      []byte
	Src, Dst netip.Addr
	TTL      int // TTL or hop limit
}

// dropForError maps an Unmarshal error to its reason.
func dropForError(err error) DropReason {
	switch {
	case err == nil:
		return DropNone
	case errors.Is(err, ErrTooShort):
		return DropTooShort
	case errors.Is(err, ErrLength):
		return DropLength
	case errors.Is(err, ErrType):
		return DropType
	default:
		return DropVersion
	}
}

// filter holds what an instance compares received adverts against. It is
// immutable after construction and shared by the reader goroutine.
type filter struct {
	version  uint8
	vrid     uint8
	v6       bool
	interval uint16 // on-wire units of the instance's version
	authType uint8
	authData [8]byte
	vips     []netip.Addr
	peers    []netip.Addr // empty: multicast, any source
}

// check decodes r into a (reused) and returns why it must be dropped, or
// DropNone. The order follows keepalived's vrrp_check_packet, so the same
// packet is counted under the same reason by both.
func (f *filter) check(r *Received, a *Advert) DropReason {
	if r.TTL != vrrpTTL {
		return DropTTL
	}
	if err := a.Unmarshal(r.Msg, f.v6); err != nil {
		return dropForError(err)
	}
	if a.Version != f.version {
		return DropVersion
	}
	if a.VRID != f.vrid {
		return DropVRID
	}
	if _, ok := VerifyChecksum(r.Msg, a.Version, r.Src, r.Dst); !ok {
		return DropChecksum
	}
	if len(f.peers) > 0 && !containsAddr(f.peers, r.Src) {
		return DropPeer
	}
	if a.Version == 2 && (a.AuthType != f.authType || (f.authType == 1 && a.AuthData != f.authData)) {
		return DropAuth
	}
	if len(a.Addresses) != len(f.vips) {
		return DropAddressCount
	}
	for _, v := range f.vips {
		if !containsAddr(a.Addresses, v) {
			return DropAddressList
		}
	}
	if a.Version == 2 && a.Interval != f.interval {
		return DropInterval
	}
	return DropNone
}

func containsAddr(list []netip.Addr, a netip.Addr) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}
