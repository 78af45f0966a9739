package vrrp

import (
	"fmt"
	"net/netip"
	"time"
)

// sendAdvert sends one advert to the multicast group or to every peer.
func (in *Instance) sendAdvert(m *Machine, prio uint8) {
	src := m.primary
	if !src.IsValid() || in.conn == nil {
		in.sendErrors.Add(1)
		return
	}
	a := Advert{Version: in.filter.version, VRID: in.filter.vrid, Priority: prio, Interval: in.filter.interval,
		AuthType: in.filter.authType, AuthData: in.filter.authData, Addresses: in.vipAddr}
	send := func(dst netip.Addr) {
		var err error
		in.buf, err = a.AppendMarshal(in.buf[:0], src, dst, in.cfg.SendDialect())
		if err == nil {
			err = in.conn.WriteTo(in.buf, src, dst)
		}
		if err != nil {
			in.sendErrors.Add(1)
			in.log.WithError(err).Debugf("VRRP_Instance(%s) advert to %s not sent", in.cfg.Name, dst)
			return
		}
		in.sent.Add(1)
	}
	if len(in.peers) > 0 {
		for _, p := range in.peers {
			send(p)
		}
		return
	}
	if in.v6 {
		send(GroupIPv6)
	} else {
		send(GroupIPv4)
	}
}

// receive checks one message read by the Group's reader goroutine (which
// owns a) and hands it to the instance's goroutine.
func (in *Instance) receive(r *Received, a *Advert) {
	if d := in.filter.check(r, a); d != DropNone {
		in.drop(d, r.Src, a)
		return
	}
	in.received.Add(1)
	select {
	case in.adverts <- advertIn{priority: a.Priority, interval: a.IntervalDuration(), src: r.Src}:
	default:
		in.drop(DropQueue, r.Src, a)
	}
}

// drop counts a dropped packet and logs configuration mismatches at most
// once a minute per reason, as keepalived logs them.
func (in *Instance) drop(d DropReason, src netip.Addr, a *Advert) {
	in.counters.drop(d)
	switch d {
	case DropQueue, DropState:
		return
	}
	now := time.Now().UnixNano()
	last := in.lastDropLog[d].Load()
	if last != 0 && now-last < int64(time.Minute) {
		return
	}
	if !in.lastDropLog[d].CompareAndSwap(last, now) {
		return
	}
	detail := ""
	switch d {
	case DropInterval:
		detail = fmt.Sprintf("mine=%d s, received=%d s", in.filter.interval, a.Interval)
	case DropAddressCount:
		detail = fmt.Sprintf("mine=%d, received=%d", len(in.vipAddr), len(a.Addresses))
	case DropVersion:
		detail = fmt.Sprintf("mine=%d", in.filter.version)
	}
	DropEvent{Instance: in.cfg.Name, Src: src, Reason: d, Detail: detail}.Log(in.log)
}

// Stats returns the instance's counters.
func (in *Instance) Stats() Stats { return in.counters.snapshot() }
