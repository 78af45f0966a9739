package vrrp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Advert is a VRRP advertisement (RFC 5798 §5.1, RFC 3768 §5.1).
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	|Version| Type  | Virtual Rtr ID|   Priority    |Count IPvX Addr|
//	v3: |(rsvd) |     Max Adver Int     |          Checksum             |
//	v2: |   Auth Type   |   Adver Int   |          Checksum             |
//	|                       IPvX Address(es)                        |
//	v2: |                 Authentication Data (8 bytes)                 |
type Advert struct {
	Version  uint8 // 2 or 3
	Type     uint8 // 1, ADVERTISEMENT
	VRID     uint8
	Priority uint8
	// Interval is Max Adver Int in centiseconds (v3, 12 bits) or Adver
	// Int in seconds (v2, 8 bits), as on the wire.
	Interval  uint16
	AuthType  uint8 // v2: 0 none, 1 simple password
	Checksum  uint16
	Addresses []netip.Addr
	AuthData  [8]byte // v2 only
}

// TypeAdvertisement is the only VRRP packet type.
const TypeAdvertisement = 1

// Errors of Unmarshal; each maps to a DropReason.
var (
	ErrTooShort = errors.New("vrrp: packet too short")
	ErrVersion  = errors.New("vrrp: unknown version")
	ErrType     = errors.New("vrrp: unknown type")
	ErrLength   = errors.New("vrrp: length does not match address count")
	ErrFamily   = errors.New("vrrp: VRRPv2 over IPv6")
)

// headerLen is the fixed part of a VRRP message.
const headerLen = 8

// authLen is the v2 authentication data length.
const authLen = 8

// IntervalDuration is the advert's interval as a duration.
func (a *Advert) IntervalDuration() time.Duration {
	if a.Version == 2 {
		return time.Duration(a.Interval) * time.Second
	}
	return time.Duration(a.Interval) * 10 * time.Millisecond
}

// Len is the encoded length of the message.
func (a *Advert) Len(v6 bool) int {
	n := headerLen + len(a.Addresses)*addrLen(v6)
	if a.Version == 2 {
		n += authLen
	}
	return n
}

func addrLen(v6 bool) int {
	if v6 {
		return 16
	}
	return 4
}

// Unmarshal decodes msg, a VRRP message carried over IPv6 when v6. It
// checks the structure (version, type, length against the address count)
// but not the checksum (see VerifyChecksum), since that needs the IP
// addresses. Addresses are appended to a.Addresses[:0], so a reused Advert
// decodes without allocating.
func (a *Advert) Unmarshal(msg []byte, v6 bool) error {
	if len(msg) < headerLen {
		return ErrTooShort
	}
	a.Version = msg[0] >> 4
	a.Type = msg[0] & 0x0f
	a.VRID = msg[1]
	a.Priority = msg[2]
	count := int(msg[3])
	a.Checksum = binary.BigEndian.Uint16(msg[6:8])
	a.AuthData = [8]byte{}
	switch a.Version {
	case 3:
		a.AuthType = 0
		a.Interval = binary.BigEndian.Uint16(msg[4:6]) & 0x0fff
	case 2:
		if v6 {
			return ErrFamily
		}
		a.AuthType = msg[4]
		a.Interval = uint16(msg[5])
	default:
		return ErrVersion
	}
	if a.Type != TypeAdvertisement {
		return ErrType
	}
	al := addrLen(v6)
	want := headerLen + count*al
	if a.Version == 2 {
		want += authLen
	}
	if len(msg) != want {
		return ErrLength
	}
	a.Addresses = a.Addresses[:0]
	for i := range count {
		b := msg[headerLen+i*al : headerLen+(i+1)*al]
		if v6 {
			a.Addresses = append(a.Addresses, netip.AddrFrom16([16]byte(b)))
		} else {
			a.Addresses = append(a.Addresses, netip.AddrFrom4([4]byte(b)))
		}
	}
	if a.Version == 2 {
		copy(a.AuthData[:], msg[want-authLen:])
	}
	return nil
}

// AppendMarshal appends the encoded message to dst, with the checksum
// computed for src, dstAddr and dialect d (see Checksum), and stores the
// checksum in a.Checksum. Addresses must all be of src's family.
func (a *Advert) AppendMarshal(dst []byte, src, dstAddr netip.Addr, d Dialect) ([]byte, error) {
	v6 := src.Is6()
	if a.Version != 2 && a.Version != 3 {
		return dst, fmt.Errorf("%w %d", ErrVersion, a.Version)
	}
	if a.Version == 2 && v6 {
		return dst, ErrFamily
	}
	if len(a.Addresses) > 255 {
		return dst, fmt.Errorf("vrrp: %d addresses do not fit the count field", len(a.Addresses))
	}
	start := len(dst)
	typ := a.Type
	if typ == 0 {
		typ = TypeAdvertisement
	}
	dst = append(dst, a.Version<<4|typ&0x0f, a.VRID, a.Priority, byte(len(a.Addresses)))
	if a.Version == 3 {
		dst = binary.BigEndian.AppendUint16(dst, a.Interval&0x0fff)
	} else {
		dst = append(dst, a.AuthType, byte(a.Interval))
	}
	dst = append(dst, 0, 0)
	for _, ip := range a.Addresses {
		if ip.Is6() != v6 || (!v6 && !ip.Is4()) {
			return dst[:start], fmt.Errorf("vrrp: address %s is not of the advert's family", ip)
		}
		if v6 {
			b := ip.As16()
			dst = append(dst, b[:]...)
		} else {
			b := ip.As4()
			dst = append(dst, b[:]...)
		}
	}
	if a.Version == 2 {
		dst = append(dst, a.AuthData[:]...)
	}
	msg := dst[start:]
	a.Checksum = Checksum(msg, a.Version, src, dstAddr, d)
	binary.BigEndian.PutUint16(msg[6:8], a.Checksum)
	return dst, nil
}
