// Package rules implements HAProxy 2.6's http-request and http-response
// rules for the L7 engine: parsing of the rule strings of the
// `http_request` and `http_response` keys (HAProxy's grammar, cut into
// words by acl.Words, with if/unless conditions from package acl) and their
// application to a request or response head through the small editing
// interfaces [Request] and [Response] that the engine implements over its
// own parsed heads.
//
// Semantics follow HAProxy (configuration.txt §4.2 "http-request" and
// "http-response", src/http_act.c, src/http_ana.c): rules run in the order
// written; a rule whose condition fails is skipped; header edits take
// effect at once (a later condition sees them); the first terminal action
// (allow, deny, auth, return, redirect) stops the list. A frontend's rules
// run before its backend's; `allow` ends the current section's list only.
//
// Values are HAProxy log-format strings limited to literal text and
// %[FETCH] sample expressions: src, path, url, query, method, ssl_fc,
// hdr(NAME), req.hdr(NAME), req.fhdr(NAME) on requests, and hdr(NAME),
// res.hdr(NAME), res.fhdr(NAME), status, src, ssl_fc on responses. As in
// HAProxy, hdr() outside ACLs gives the last comma-separated value of the
// last occurrence, fhdr() the last full field value. Other log-format
// variables (%ci, %T...) and converters are refused at parse time.
//
// Regular expressions are Go's RE2 (no back-references in the pattern);
// replacement strings take \0..\9 as in HAProxy's exp_replace.
package rules
