package proxy

import (
	"errors"
	"strconv"
)

// Outcomes the engine branches on.
var (
	// ErrNoServer means no server of the backend can take the request (503).
	ErrNoServer = errors.New("proxy: no server available")
	// ErrQueueTimeout means the request waited in a queue for longer than
	// timeout queue (503).
	ErrQueueTimeout = errors.New("proxy: queue timeout")
	// ErrQueueFull means the server's queue reached maxqueue and the request
	// could not be redispatched (503).
	ErrQueueFull = errors.New("proxy: queue full")
	// ErrClosed is returned by methods of a Proxy that was shut down.
	ErrClosed = errors.New("proxy: closed")
	// ErrUnknownBackend and ErrUnknownServer answer runtime commands.
	ErrUnknownBackend = errors.New("proxy: no such backend")
	ErrUnknownServer  = errors.New("proxy: no such server")
)

// errorPage is one of HAProxy's built-in error responses, pre-rendered.
type errorPage struct {
	status int
	raw    []byte
}

// HAProxy 2.6's default error bodies (src/http.c http_err_msgs). The header
// names are lower case because HAProxy 2.x emits them that way through its
// HTX layer.
var errorBodies = map[int][2]string{
	400: {"Bad request", "Your browser sent an invalid request."},
	401: {"Unauthorized", "You need a valid user and password to access this content."},
	403: {"Forbidden", "Request forbidden by administrative rules."},
	404: {"Not Found", "The resource could not be found."},
	405: {"Method Not Allowed", "A request was made of a resource using a request method not supported by that resource"},
	408: {"Request Time-out", "Your browser didn't send a complete request in time."},
	410: {"Gone", "The resource is no longer available and will not be available again."},
	413: {"Payload Too Large", "The request entity exceeds the maximum allowed."},
	421: {"Misdirected Request", "Request sent to a non-authoritative server."},
	425: {"Too Early", "Your browser sent early data."},
	429: {"Too Many Requests", "You have sent too many requests in a given amount of time."},
	500: {"Internal Server Error", "An internal server error occurred."},
	501: {"Not Implemented", "The server does not support the functionality required to fulfill the request."},
	502: {"Bad Gateway", "The server returned an invalid or incomplete response."},
	503: {"Service Unavailable", "No server is available to handle this request."},
	504: {"Gateway Time-out", "The server didn't respond in time."},
}

// errorPages holds every page rendered once; the table is read-only after
// package initialisation (a plain variable initialiser, no init()).
var errorPages = renderErrorPages()

func renderErrorPages() map[int]*errorPage {
	m := make(map[int]*errorPage, len(errorBodies))
	for code := range errorBodies {
		m[code] = &errorPage{status: code, raw: renderError(code, "")}
	}
	return m
}

// ErrorBody returns HAProxy's HTML body for status code (500's when the code
// has no page of its own).
func ErrorBody(code int) string {
	t, ok := errorBodies[code]
	if !ok {
		t = errorBodies[500]
		code = 500
	}
	return "<html><body><h1>" + strconv.Itoa(code) + " " + t[0] + "</h1>\n" + t[1] + "\n</body></html>\n"
}

// renderError renders the complete response for code; extra is inserted as
// additional header lines (each ending in CRLF), e.g. www-authenticate.
func renderError(code int, extra string) []byte {
	t, ok := errorBodies[code]
	if !ok {
		t, code = errorBodies[500], 500
	}
	body := ErrorBody(code)
	s := "HTTP/1.1 " + strconv.Itoa(code) + " " + t[0] + "\r\n" +
		"content-length: " + strconv.Itoa(len(body)) + "\r\n" +
		"cache-control: no-cache\r\n" +
		"connection: close\r\n" +
		"content-type: text/html\r\n" +
		extra +
		"\r\n" + body
	return []byte(s)
}

// errorResponse returns the pre-rendered page for code.
func errorResponse(code int) []byte {
	if p, ok := errorPages[code]; ok {
		return p.raw
	}
	return errorPages[500].raw
}

// unauthorizedResponse is the 401 page with the realm of a stats section.
func unauthorizedResponse(realm string) []byte {
	return renderError(401, "www-authenticate: Basic realm=\""+realm+"\"\r\n")
}
