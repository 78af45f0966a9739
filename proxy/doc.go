// Package proxy is haappliance's L7 (HTTP/1.1) proxy engine: frontends that
// accept client connections, route each request with ACL conditions to a
// backend, pick a server with the backend's balance algorithm or its
// persistence cookie, and forward the request and the response over pooled
// keep-alive server connections, with HAProxy 2.6's observable behaviour.
//
// References followed:
//
//   - HAProxy 2.6 Configuration Manual (docs.haproxy.org/2.6/configuration.html):
//     sections 4 (proxies: defaults inheritance, "no option", a listen
//     section is a frontend and a backend), "balance", "cookie" (insert/rewrite/prefix, indirect,
//     nocache, postonly, httponly, secure, domain, maxidle, maxlife,
//     preserve), "option forwardfor", "option http-keep-alive",
//     "option httpclose", "option http-server-close", "option redispatch",
//     "retries", "maxconn", "maxqueue", the "timeout" keywords, and 1.3.1
//     (HTTP error codes the proxy emits).
//   - HAProxy 2.6 src/http.c http_err_msgs (the default error pages) and
//     src/http_ana.c (cookie handling, cacheability, X-Forwarded-For).
//   - RFC 9110 §7.6.1 (hop-by-hop fields removed when forwarding), RFC 9112
//     (message framing, persistence, 100-continue, Upgrade).
//
// Architecture: one goroutine per client connection reads into a pooled
// 16 KiB buffer (HAProxy's tune.bufsize) and parses the head in place with
// package h1; the outgoing head is built in a pooled buffer and written with
// one Write; bodies are streamed, never buffered whole, with chunked framing
// validated by h1.ChunkedScanner while the bytes pass through verbatim.
// Header names are forwarded in lower case, as HAProxy 2.x (HTX) does.
//
// The backend/server/queue layer (backend.go, server.go, queue.go, pool.go)
// is mode neutral, so the TCP (L4) engine can reuse it.
//
// Known deviations from HAProxy are listed in docs/ by the lead; the main
// ones: a response without a length sent to a keep-alive client ends the
// client connection instead of being re-chunked. Mode tcp frontends are
// served by the L4 engine in tcp*.go over the same backends and servers.
package proxy
