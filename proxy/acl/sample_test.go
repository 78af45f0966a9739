package acl

import (
	"bytes"
	"net/netip"
	"strings"
)

// fakeSample is a request for tests and benchmarks; its views are computed
// once so that evaluating against it does not allocate.
type fakeSample struct {
	method, uri, path, query []byte
	names, values            [][]byte
	src                      netip.Addr
	ssl                      bool
	minor                    int
}

// req builds a fake HTTP/1.1 request from 127.0.0.1; hdrs are "Name: value".
func req(method, uri string, hdrs ...string) *fakeSample {
	f := &fakeSample{method: []byte(method), uri: []byte(uri), src: netip.MustParseAddr("127.0.0.1"), minor: 1}
	u := f.uri
	if i := bytes.Index(u, []byte("://")); i >= 0 && bytes.IndexByte(u[:i], '/') < 0 {
		rest := u[i+3:]
		if j := bytes.IndexByte(rest, '/'); j >= 0 {
			u = rest[j:]
		} else {
			u = nil
		}
	}
	if len(u) > 0 && u[0] == '/' {
		if q := bytes.IndexByte(u, '?'); q >= 0 {
			f.path, f.query = u[:q], u[q+1:]
		} else {
			f.path = u
		}
	}
	for _, h := range hdrs {
		n, v, _ := strings.Cut(h, ":")
		f.names = append(f.names, []byte(n))
		f.values = append(f.values, []byte(v))
	}
	return f
}

func (f *fakeSample) from(addr string) *fakeSample { f.src = netip.MustParseAddr(addr); return f }
func (f *fakeSample) tls() *fakeSample             { f.ssl = true; return f }
func (f *fakeSample) http10() *fakeSample          { f.minor = 0; return f }

func (f *fakeSample) Method() []byte  { return f.method }
func (f *fakeSample) URI() []byte     { return f.uri }
func (f *fakeSample) Path() []byte    { return f.path }
func (f *fakeSample) Query() []byte   { return f.query }
func (f *fakeSample) NumHeaders() int { return len(f.names) }
func (f *fakeSample) Header(i int) ([]byte, []byte) {
	return f.names[i], f.values[i]
}
func (f *fakeSample) Src() netip.Addr { return f.src }
func (f *fakeSample) SSL() bool       { return f.ssl }
func (f *fakeSample) HTTPMinor() int  { return f.minor }

// userlist accepts one Authorization value.
type userlist string

func (u userlist) Authenticate(cred []byte) bool { return string(cred) == string(u) }
