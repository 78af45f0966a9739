// Package vrrp is the VRRP speaker of haappliance: a keepalived-compatible
// implementation of the Virtual Router Redundancy Protocol that lets two
// hosts share virtual IP addresses.
//
// References:
//   - RFC 5798, VRRP version 3 for IPv4 and IPv6 (centisecond timers,
//     checksum over a pseudo-header).
//   - RFC 3768, VRRP version 2 (IPv4 only, whole-second timers, the
//     deprecated simple-password authentication keepalived still speaks).
//   - RFC 9568, the 2024 revision of VRRPv3, whose IPv4 checksum reading
//     leaves the pseudo-header out; see [Dialect].
//   - keepalived 2.2.7, the wire and behaviour reference: frames captured
//     from it are the byte-exact test vectors in testdata/.
//
// The package is split the way the protocol is:
//
//   - packet.go, checksum.go: the advertisement codec ([Advert]).
//   - machine.go: the state machine ([Machine]), a pure step function from
//     an [Input] to an [Output], with no I/O and no clock of its own.
//   - filter.go: the receive checks; every dropped packet has a [DropReason]
//     that is also its counter's label.
//   - instance.go, group.go: the runner. A [Group] owns one socket per
//     interface and address family, demultiplexes received adverts by VRID
//     and runs one goroutine per [Instance] that owns its Machine and
//     performs its actions (send, add/remove VIPs, gratuitous ARP/NA).
//   - priority.go: tracking ([TrackUpdate]) with keepalived's weight
//     semantics.
//   - events.go: the stable log lines of SPEC §9.1, formatted in one place.
//   - *_linux.go: the kernel seams: raw IP protocol 112 sockets, netlink
//     VIP management and link watching, gratuitous ARP and unsolicited NA
//     over packet sockets.
//
// Shutdown order: cancelling the context given to [Group.Run] makes every
// master send an advert with priority 0 and keep its VIPs until a new master
// is heard or its Master_Down_Interval passes; then VIPs are removed, the
// sockets leave their multicast groups and close, and Run returns after
// every goroutine it started has ended.
package vrrp
