// Package acl implements HAProxy 2.6 access control lists and conditions
// for the HTTP proxy: the "acl" lines, the "if"/"unless" conditions of
// use_backend and http-request rules, and the word splitting of
// configuration lines, all with haproxy's grammar inside TOML strings.
//
// Reference: HAProxy 2.6 configuration manual (configuration.txt), §2.2
// "Quoting and escaping" (see [Words]), §7.1 "ACL basics", §7.2 "Using ACLs
// to form conditions", §7.3.6 "Fetching HTTP samples" and §7.4 "Pre-defined
// ACLs"; behaviour details follow haproxy's src/acl.c, src/pattern.c,
// src/http_acl.c and src/http_fetch.c.
//
// # Use
//
//	s := acl.NewSet()
//	err := s.AddLines([]string{"url_ms1 path_beg -i /ms1/", "url_ms2 path_beg -i /ms2/"})
//	rules, err := acl.ParseUseBackends(s, []string{"ms1 if url_ms1", "ms2 if url_ms2"})
//	...
//	if rules[0].Cond.Eval(req) { ... }
//
// The request is seen through the [Sample] interface, which the proxy
// engine implements over its parsed request. [Cond.Eval] does not allocate:
// values are matched in place as []byte views, case-insensitive patterns
// are lowercased once at parse time, and regular expressions are compiled
// once.
//
// # Criteria
//
// Fetches: path, url, query, url_param/urlp(name[,delim]),
// hdr/req.hdr([name[,occ]]), req.fhdr([name[,occ]]), hdr_cnt/req.hdr_cnt,
// req.fhdr_cnt, hdr_val/req.hdr_val, method, src, ssl_fc, req.ver/req_ver,
// http_auth(userlist), req.proto_http, always_true, always_false. The
// derivatives NAME_beg, _dir, _dom, _end, _len, _reg and _sub exist for
// path, url, hdr and urlp. As in haproxy, hdr() splits every header on
// commas (outside double quotes) and an ACL tries every value; req.fhdr()
// takes whole field values. Flags: -i, -m METHOD (found, bool, int, ip,
// bin, len, str, beg, sub, dir, dom, end, reg), -f FILE, -n, -u ID and --;
// integer matching takes eq/ge/gt/le/lt and ranges "A:B", "A:", ":B".
// Several values in one line, and several lines with one name, are ORed.
//
// # Differences from haproxy
//
//   - Regular expressions are Go's RE2 syntax (package regexp), not PCRE:
//     no back-references or look-around, and matching is guaranteed linear
//     in time. Matching is unanchored, as in haproxy; -i compiles "(?i)".
//   - Converters ("path,lower") and map files (-M) are not supported and
//     are reported as such. Host names are never resolved in IP patterns.
//   - "$VAR" is not expanded inside double quotes.
//   - Stricter than haproxy, which accepts them silently: a condition
//     with no term ("if"), an "or" with no term before or after it, and a
//     dangling "!" are errors.
//   - A dir or dom pattern made only of delimiters never matches.
//   - Predefined ACLs: TRUE, FALSE, HTTP, HTTP_1.0, HTTP_1.1, HTTP_2.0 and
//     HTTP_3.0 (never true: the proxy speaks HTTP/1.x), HTTP_CONTENT,
//     HTTP_URL_ABS, HTTP_URL_SLASH, HTTP_URL_STAR, LOCALHOST and the
//     METH_* ones. RDP_COOKIE, REQ_CONTENT and WAIT_END belong to TCP
//     content inspection, which this package does not see, and are
//     unknown here.
package acl
