package vrrp

import "sync/atomic"

// DropReason is why a received packet was dropped; its String is the label
// of haappliance_vrrp_packets_dropped_total{reason}. The zero value means
// the packet was accepted.
type DropReason uint8

const (
	DropNone         DropReason = iota
	DropTooShort                // shorter than the 8-byte header
	DropLength                  // length does not match the address count
	DropVersion                 // not VRRPv2/v3, or not the instance's version
	DropType                    // not an ADVERTISEMENT
	DropVRID                    // no instance has this VRID on this interface
	DropTTL                     // TTL / hop limit other than 255
	DropChecksum                // bad checksum
	DropAuth                    // VRRPv2 authentication type or password differs
	DropAddressCount            // address count differs from ours
	DropAddressList             // address list differs from ours
	DropInterval                // VRRPv2 advert interval differs from ours
	DropPeer                    // unicast instance: source is not a unicast_peer
	DropState                   // instance is not listening (initialising, FAULT)
	DropQueue                   // instance too slow to take the packet
	numDropReasons
)

var dropNames = [numDropReasons]string{
	"", "too_short", "length", "version", "type", "vrid", "ttl", "checksum", "auth",
	"address_count", "address_list", "interval", "unicast_peer", "state", "queue",
}

func (r DropReason) String() string {
	if r < numDropReasons {
		return dropNames[r]
	}
	return "unknown"
}

// DropReasons lists every reason label, for exporters that want all series
// present from the start.
func DropReasons() []string {
	out := make([]string, 0, numDropReasons-1)
	for r := DropTooShort; r < numDropReasons; r++ {
		out = append(out, r.String())
	}
	return out
}

// counters are an instance's (or a group's unattributed) atomic counters.
type counters struct {
	transitions atomic.Uint64
	sent        atomic.Uint64
	received    atomic.Uint64
	sendErrors  atomic.Uint64
	dropped     [numDropReasons]atomic.Uint64
}

func (c *counters) drop(r DropReason) { c.dropped[r].Add(1) }

// Stats is a snapshot of counters.
type Stats struct {
	Transitions     uint64            `json:"transitions"`
	AdvertsSent     uint64            `json:"adverts_sent"`
	AdvertsReceived uint64            `json:"adverts_received"`
	SendErrors      uint64            `json:"send_errors"`
	Dropped         map[string]uint64 `json:"dropped"` // by DropReason label; zero counts omitted
}

func (c *counters) snapshot() Stats {
	s := Stats{
		Transitions:     c.transitions.Load(),
		AdvertsSent:     c.sent.Load(),
		AdvertsReceived: c.received.Load(),
		SendErrors:      c.sendErrors.Load(),
		Dropped:         map[string]uint64{},
	}
	for r := DropTooShort; r < numDropReasons; r++ {
		if n := c.dropped[r].Load(); n > 0 {
			s.Dropped[r.String()] = n
		}
	}
	return s
}

// add sums o into s.
func (s *Stats) add(o Stats) {
	s.Transitions += o.Transitions
	s.AdvertsSent += o.AdvertsSent
	s.AdvertsReceived += o.AdvertsReceived
	s.SendErrors += o.SendErrors
	if s.Dropped == nil {
		s.Dropped = map[string]uint64{}
	}
	for k, v := range o.Dropped {
		s.Dropped[k] += v
	}
}
