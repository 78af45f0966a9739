// Package proxyproto encodes and decodes the PROXY protocol, versions 1
// (text) and 2 (binary), which tells a server the address of the client a
// proxy accepted a connection from.
//
// Reference: HAProxy's doc/proxy-protocol.txt ("The PROXY protocol,
// Versions 1 & 2", Willy Tarreau), and HAProxy 2.6's sender and receiver
// (src/connection.c make_proxy_line_v1/v2, conn_recv_proxy), whose bytes
// the tests compare against: HAProxy's `send-proxy` and `send-proxy-v2`
// server keywords correspond to AppendV1 and AppendV2, its `accept-proxy`
// bind keyword to Read and NewConn.
//
// # Encoding
//
// A header carries the client's address (Src) and the address it connected
// to (Dst). When either is unknown, or the pair cannot be expressed (a
// Unix socket), version 1 sends "PROXY UNKNOWN\r\n" and version 2 sends a
// LOCAL command with no address. IPv4-mapped IPv6 addresses are sent as
// they are; an IPv4 address paired with an IPv6 one is written in its
// IPv4-mapped IPv6 form, so both use one family, as HAProxy does on a
// dual-stack socket. Version 2 headers carry no TLV.
//
// # Decoding
//
// Parse decodes a header at the start of a byte slice and says how many
// bytes it used, or ErrIncomplete when more bytes are needed. It is as
// strict as HAProxy's receiver: a v1 line of at most 107 bytes ending in
// CRLF, single spaces, TCP4 with IPv4 and TCP6 with IPv6 addresses,
// decimal ports; a v2 header with version 2, command LOCAL or PROXY, an
// address block long enough for its family, and well-formed TLVs. For a
// LOCAL command, an UNKNOWN line, or a family other than IPv4/IPv6 the
// header carries no address and the connection's own addresses apply.
//
// Read and NewConn consume a header from a connection without losing the
// bytes that follow it: those are kept and returned first by Conn.Read,
// or taken with Conn.Buffered by a caller that wants the underlying
// *net.TCPConn back (for splice).
package proxyproto
