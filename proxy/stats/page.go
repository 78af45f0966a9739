package stats

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"time"

	"haappliance/proxy/userlist"
)

// Page answers the stats URI: HTML, `;csv`, `;json`, and admin POSTs. It
// is a pure function of the request and the snapshot, so the engine's own
// HTTP codec serves it; the page is not on the hot path.
type Page struct {
	URI         string   // stats uri, e.g. "/stats"
	Realm       string   // basic-auth realm
	Auth        []string // "user:password"; empty means no authentication
	Refresh     time.Duration
	Admin       bool // admin = true: the page may change server states
	HideVersion bool
	Legends     bool // fill addr/cookie/algo in ;csv and ;json (stats show-legends)

	Snapshot func() Snapshot
	// Apply performs an admin action; nil refuses them.
	Apply func(AdminAction) error
}

// Response is the answer to give: status, headers in order, body.
type Response struct {
	Status int
	Header [][2]string
	Body   []byte
}

// HAProxy's 401 page (src/http.c http_err_msgs).
const unauthorizedBody = "<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n"

// Admin results carried in the redirect, as HAProxy's ";st=" codes.
var adminMessages = map[string]string{
	"DONE": "Action processed successfully.",
	"NONE": "Nothing has changed.",
	"PART": "Action not processed for some servers.",
	"ERRP": "Action not processed because of invalid parameters.",
	"DENY": "Action denied.",
}

// Matches reports whether uri addresses the page (HAProxy matches the URI
// prefix).
func (p *Page) Matches(uri string) bool { return strings.HasPrefix(uri, p.URI) }

// Authorized checks an Authorization header value against every
// configured user in constant time (the Basic-auth code the proxy's auth
// rules use, package userlist).
func (p *Page) Authorized(authorization string) bool {
	if len(p.Auth) == 0 {
		return true
	}
	return userlist.CheckPairs([]byte(authorization), p.Auth)
}

// Respond answers one request for the page.
func (p *Page) Respond(method, uri, authorization string, body []byte) Response {
	if !p.Authorized(authorization) {
		return Response{Status: 401, Header: [][2]string{
			{"content-length", strconv.Itoa(len(unauthorizedBody))},
			{"cache-control", "no-cache"},
			{"content-type", "text/html"},
			{"www-authenticate", `Basic realm="` + strings.ReplaceAll(p.Realm, `"`, `'`) + `"`},
		}, Body: []byte(unauthorizedBody)}
	}
	rest := strings.TrimPrefix(uri, p.URI)
	rest, _, _ = strings.Cut(rest, "?")
	var csv, json, norefresh bool
	st := ""
	for _, opt := range strings.Split(rest, ";") {
		switch {
		case opt == "csv":
			csv = true
		case opt == "json":
			json = true
		case opt == "norefresh":
			norefresh = true
		case strings.HasPrefix(opt, "st="):
			st = strings.TrimPrefix(opt, "st=")
		}
	}
	switch method {
	case "GET", "HEAD":
	case "POST":
		return p.post(body)
	default:
		return Response{Status: 405, Header: [][2]string{{"allow", "GET, HEAD, POST"}, {"content-length", "0"}}}
	}
	snap := p.Snapshot()
	var b bytes.Buffer
	h := [][2]string{{"cache-control", "no-cache"}}
	switch {
	case csv:
		_ = WriteCSV(&b, &snap, Options{Legends: p.Legends})
		h = append(h, [2]string{"content-type", "text/plain"})
	case json:
		_ = WriteJSON(&b, &snap, Options{Legends: p.Legends})
		h = append(h, [2]string{"content-type", "application/json"})
	default:
		_ = WriteHTML(&b, &snap, HTMLOptions{URI: p.URI, Refresh: p.Refresh, Admin: p.Admin && p.Apply != nil,
			HideVersion: p.HideVersion, Message: adminMessages[st]})
		h = append(h, [2]string{"content-type", "text/html"})
	}
	if p.Refresh > 0 && !norefresh {
		h = append(h, [2]string{"refresh", strconv.FormatInt(int64(p.Refresh/time.Second), 10)})
	}
	h = append(h, [2]string{"content-length", strconv.Itoa(b.Len())})
	if method == "HEAD" {
		return Response{Status: 200, Header: h}
	}
	return Response{Status: 200, Header: h, Body: b.Bytes()}
}

// post applies an admin form and redirects back with the outcome (303,
// so a reload of the page does not post again).
func (p *Page) post(body []byte) Response {
	code := "DONE"
	switch a, err := ParseAdminPost(body); {
	case !p.Admin || p.Apply == nil:
		code = "DENY"
	case errors.Is(err, ErrNoServer):
		code = "NONE"
	case err != nil:
		code = "ERRP"
	default:
		if err := p.Apply(a); err != nil {
			code = "PART"
		}
	}
	return Response{Status: 303, Header: [][2]string{
		{"cache-control", "no-cache"},
		{"location", p.URI + ";st=" + code},
		{"content-length", "0"},
	}}
}
