package acl

import "net/netip"

// Sample is the request an ACL is evaluated against. The proxy engine
// implements it over its own parsed request; every []byte it returns is a
// view that the ACL code only reads and never keeps.
//
// Headers are exposed by index rather than through a callback: a closure
// handed to an interface method escapes to the heap, and evaluation must not
// allocate.
type Sample interface {
	// Method is the request method as received ("GET").
	Method() []byte
	// URI is the request target as received ("/a/b?x=1", "http://h/a", "*").
	URI() []byte
	// Path is the path part of the target, without the query string; nil
	// when the target has no path (for example "*").
	Path() []byte
	// Query is the raw query string without the '?'; nil when the target
	// has no '?', empty when it has one with nothing after it.
	Query() []byte
	// NumHeaders is the number of header field lines, in received order.
	NumHeaders() int
	// Header returns the name and value of field line i (0 <= i <
	// NumHeaders()). The value may carry surrounding blanks.
	Header(i int) (name, value []byte)
	// Src is the client address; the zero Addr when unknown.
	Src() netip.Addr
	// SSL reports whether the client connection is TLS terminated here.
	SSL() bool
	// HTTPMinor is the minor version of HTTP/1.x (0 or 1).
	HTTPMinor() int
}

// Userlist checks credentials for the http_auth(NAME) criterion. Credentials
// is the value of the request's Authorization header as received ("Basic
// dXNlcjpwYXNz"); the userlist decodes it. It must be safe for concurrent
// use and should not allocate.
type Userlist interface {
	Authenticate(credentials []byte) bool
}
