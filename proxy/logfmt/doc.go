// Package logfmt formats HAProxy 2.6's request log lines: `option httplog`
// (and its `clf` variant) and `option tcplog`, byte for byte, so the log
// parsers and dashboards operators already run against haproxy's logs read
// haappliance's unchanged.
//
// Reference: HAProxy 2.6 configuration manual, section 8.2 "Log formats"
// (8.2.3 HTTP log format, 8.2.2 TCP log format, 8.2.4 custom log format and
// its variables %ci %cp %tr %ft %b %s %TR %Tw %Tc %Tr %Ta %ST %B %CC %CS
// %tsc %ac %fc %bc %sc %rc %sq %bq %hr %hs %r), and src/log.c for the
// encoding of non-printable characters ('#' followed by two hex digits).
//
// The package is a leaf: it knows nothing about the proxy engine. The engine
// fills an HTTPLog or TCPLog per request or connection and calls AppendTo
// on a reused buffer; AppendTo does not allocate.
package logfmt
