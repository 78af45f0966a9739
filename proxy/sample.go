package proxy

import (
	"net/netip"

	"haappliance/proxy/h1"
)

// reqSample is the acl.Sample view of a parsed request; it reads the head
// in place and allocates nothing.
type reqSample struct {
	req *h1.Request
	src netip.Addr
	ssl bool
}

func (s *reqSample) Method() []byte  { return s.req.Method }
func (s *reqSample) URI() []byte     { return s.req.URI }
func (s *reqSample) Path() []byte    { return s.req.Path }
func (s *reqSample) Query() []byte   { return s.req.Query }
func (s *reqSample) NumHeaders() int { return len(s.req.Headers) }
func (s *reqSample) Header(i int) (name, value []byte) {
	h := &s.req.Headers[i]
	return h.Name, h.Value
}
func (s *reqSample) Src() netip.Addr { return s.src }
func (s *reqSample) SSL() bool       { return s.ssl }
func (s *reqSample) HTTPMinor() int  { return s.req.Minor }
