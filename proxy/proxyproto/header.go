package proxyproto

import (
	"errors"
	"net/netip"
)

// Command is a version 2 command.
type Command uint8

const (
	// Local: the connection was made by the proxy itself (a health
	// check); the receiver uses the connection's real addresses.
	Local Command = 0
	// Proxy: the connection is relayed on behalf of Src.
	Proxy Command = 1
)

func (c Command) String() string {
	if c == Local {
		return "LOCAL"
	}
	return "PROXY"
}

// Header is one decoded PROXY protocol header.
type Header struct {
	Version int     // 1 or 2
	Command Command // Proxy for a v1 line with addresses; Local for v1 UNKNOWN and v2 LOCAL
	// Src and Dst are the client's address and the address it connected
	// to. Both are invalid (zero) when the header carries no usable
	// address: LOCAL, UNKNOWN, or a family other than IPv4/IPv6.
	Src, Dst netip.AddrPort
	// Transport is the v2 transport byte's high nibble: 1 stream (TCP),
	// 2 datagram (UDP), 0 unspecified. Version 1 headers are streams.
	Transport uint8
	// TLV holds the raw, validated v2 TLV bytes after the addresses. It
	// aliases the parsed input.
	TLV []byte
}

// Known reports whether the header carries the client's address.
func (h Header) Known() bool { return h.Src.IsValid() && h.Dst.IsValid() }

// Errors returned by Parse and Read.
var (
	// ErrIncomplete means the bytes so far are a valid beginning of a
	// header: read more and parse again.
	ErrIncomplete = errors.New("proxyproto: incomplete header")
	// ErrNotProxy means the connection did not start with a PROXY
	// protocol signature (HAProxy: "Received something which does not
	// look like a PROXY protocol header").
	ErrNotProxy = errors.New("proxyproto: not a PROXY protocol header")
	// ErrTooLarge means a v2 header announced more bytes than MaxHeaderLen.
	ErrTooLarge = errors.New("proxyproto: header too large")
)

// FormatError is a malformed header (after a valid signature).
type FormatError struct {
	Version int
	Reason  string
}

func (e *FormatError) Error() string {
	if e.Version == 1 {
		return "proxyproto: invalid v1 header: " + e.Reason
	}
	return "proxyproto: invalid v2 header: " + e.Reason
}

// Wire constants (doc/proxy-protocol.txt).
const (
	// MaxV1Len is the longest v1 line, CRLF included.
	MaxV1Len = 107
	// MaxHeaderLen is the longest header Read accepts: HAProxy's
	// tune.bufsize, which bounds what its receiver accepts too.
	MaxHeaderLen = 16384
	// v2 fixed part: signature, version/command, family, length.
	v2HeadLen = 16
	v2Sig     = "\r\n\r\n\x00\r\nQUIT\n"
	v1Prefix  = "PROXY "

	famUnspec = 0x0
	famInet   = 0x1
	famInet6  = 0x2
	famUnix   = 0x3

	lenInet  = 12
	lenInet6 = 36
	lenUnix  = 216
)
