package vrrp

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"

	"github.com/mdlayher/ndp"
)

// Frames built byte for byte as keepalived 2.2.7 sends them (testdata/).

// IPv4 header fields of a VRRP packet: keepalived builds the header itself
// (IP_HDRINCL) with precedence 6 (TOS 0xc0), DF clear and TTL 255.
const (
	vrrpTOS = 0xc0
	vrrpTTL = 255
)

// Multicast groups of VRRP (RFC 5798 §5.1.1.2, §5.1.2.2).
var (
	GroupIPv4 = netip.MustParseAddr("224.0.0.18")
	GroupIPv6 = netip.MustParseAddr("ff02::12")
)

// AppendIPv4Header appends the 20-byte IPv4 header of a VRRP packet with
// payloadLen bytes of VRRP message, with its header checksum.
func AppendIPv4Header(dst []byte, src, dstAddr netip.Addr, id uint16, payloadLen int) []byte {
	start := len(dst)
	dst = append(dst, 0x45, vrrpTOS)
	dst = binary.BigEndian.AppendUint16(dst, uint16(20+payloadLen))
	dst = binary.BigEndian.AppendUint16(dst, id)
	dst = append(dst, 0, 0, vrrpTTL, protoVRRP, 0, 0)
	s, d := src.As4(), dstAddr.As4()
	dst = append(dst, s[:]...)
	dst = append(dst, d[:]...)
	binary.BigEndian.PutUint16(dst[start+10:], fold(sum16(0, dst[start:start+20])))
	return dst
}

// Ethernet frame constants.
var (
	broadcastMAC = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	allNodesMAC  = net.HardwareAddr{0x33, 0x33, 0, 0, 0, 1}
	allNodes     = netip.MustParseAddr("ff02::1")
)

const (
	etherTypeIPv4 = 0x0800
	etherTypeARP  = 0x0806
	etherTypeIPv6 = 0x86dd
)

// AppendGratuitousARP appends keepalived's gratuitous ARP for vip from the
// interface's MAC: an Ethernet broadcast carrying an ARP request with
// SPA = TPA = vip and THA ff:ff:ff:ff:ff:ff.
func AppendGratuitousARP(dst []byte, mac net.HardwareAddr, vip netip.Addr) ([]byte, error) {
	if len(mac) != 6 || !vip.Is4() {
		return dst, fmt.Errorf("vrrp: gratuitous ARP needs a 6-byte MAC and an IPv4 address, have %v and %s", mac, vip)
	}
	ip := vip.As4()
	dst = append(dst, broadcastMAC...)
	dst = append(dst, mac...)
	dst = binary.BigEndian.AppendUint16(dst, etherTypeARP)
	dst = append(dst, 0, 1, 0x08, 0x00, 6, 4, 0, 1) // Ethernet, IPv4, request
	dst = append(dst, mac...)
	dst = append(dst, ip[:]...)
	dst = append(dst, broadcastMAC...)
	dst = append(dst, ip[:]...)
	return dst, nil
}

// AppendUnsolicitedNA appends keepalived's unsolicited Neighbor
// Advertisement for vip (RFC 4861 §7.2.6): from the VIP to ff02::1 with hop
// limit 255, Override set, Router set only when the host forwards, and a
// Target Link-Layer Address option with the interface's MAC.
func AppendUnsolicitedNA(dst []byte, mac net.HardwareAddr, vip netip.Addr, router bool) ([]byte, error) {
	if len(mac) != 6 || !vip.Is6() || vip.Is4In6() {
		return dst, fmt.Errorf("vrrp: unsolicited NA needs a 6-byte MAC and an IPv6 address, have %v and %s", mac, vip)
	}
	na := &ndp.NeighborAdvertisement{
		Router:        router,
		Override:      true,
		TargetAddress: vip,
		Options:       []ndp.Option{&ndp.LinkLayerAddress{Direction: ndp.Target, Addr: mac}},
	}
	body, err := ndp.MarshalMessageChecksum(na, vip, allNodes)
	if err != nil {
		return dst, fmt.Errorf("vrrp: marshal NA: %w", err)
	}
	dst = append(dst, allNodesMAC...)
	dst = append(dst, mac...)
	dst = binary.BigEndian.AppendUint16(dst, etherTypeIPv6)
	dst = append(dst, 0x60, 0, 0, 0)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(body)))
	dst = append(dst, 58, 255) // ICMPv6, hop limit 255
	s, d := vip.As16(), allNodes.As16()
	dst = append(dst, s[:]...)
	dst = append(dst, d[:]...)
	return append(dst, body...), nil
}
