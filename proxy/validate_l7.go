package proxy

import (
	"haappliance/config"
	"haappliance/proxy/acl"
	"haappliance/proxy/rules"
	"haappliance/proxy/userlist"
)

// Validation of tls, http_request, http_response and userlist sections.

// nopUserlist stands for a userlist while validating: http_auth(NAME)
// only needs the name to exist.
type nopUserlist struct{}

func (nopUserlist) Authenticate([]byte) bool { return false }

// aclSet is an ACL set knowing every userlist's name.
func (v *validator) aclSet() *acl.Set {
	set := acl.NewSet()
	for name := range v.c.Userlists {
		set.AddUserlist(name, nopUserlist{})
	}
	return set
}

// httpRules checks a section's http_request and http_response rules
// against the section's own ACLs (a frontend's ACL errors are reported by
// frontendKeys, a backend's here).
func (v *validator) httpRules(kind, name string, s *Section) {
	p := kind + "." + name
	if kind == "backend" && len(s.ACL) > 0 {
		set := v.aclSet()
		v.aclErrors(p+".acl", set.AddLines(s.ACL))
	}
	if len(s.HTTPRequest) == 0 && len(s.HTTPResponse) == 0 {
		return
	}
	if resolveMode(s, &v.c.Defaults) != "http" {
		v.add(p+".http_request", "http_request and http_response rules need mode http")
		return
	}
	set := v.aclSet()
	_ = set.AddLines(s.ACL) // errors reported with the acl key
	ctx := rules.Context{Section: name, ErrorBody: ErrorBody}
	_, err := rules.Parse(set, s.HTTPRequest, ctx)
	v.aclErrors(p+".http_request", err)
	ctx.Response = true
	_, err = rules.Parse(set, s.HTTPResponse, ctx)
	v.aclErrors(p+".http_response", err)
}

// tls checks a tls table; the certificates are loaded (read, not kept).
func (v *validator) tls(p, mode string, t *TLSConfig) {
	if mode != "http" {
		v.add(p, "tls needs mode http")
	}
	if _, err := TLSVersion(t.MinVersion); err != nil {
		v.add(p+".min_version", "%v", err)
	}
	for i, a := range t.ALPN {
		if a != "h2" && a != "http/1.1" {
			v.add(config.Index(p+".alpn", i), "unsupported ALPN protocol '%s' (expected \"h2\" or \"http/1.1\")", a)
		}
	}
	if len(t.Certificates) == 0 {
		v.add(p+".certificates", "at least one certificate is needed")
	}
	for i, c := range t.Certificates {
		if _, err := LoadCertificates([]string{c}); err != nil {
			v.add(config.Index(p+".certificates", i), "%v", err)
		}
	}
}

// userlists checks every [userlist.NAME] section.
func (v *validator) userlists() {
	for _, name := range sortedKeys(v.c.Userlists) {
		p := "userlist." + name
		u := v.c.Userlists[name]
		if u == nil {
			continue
		}
		us := make([]userlist.User, len(u.Users))
		for i, x := range u.Users {
			us[i] = userlist.User{Name: x.Name, Password: x.Password, Groups: x.Groups}
		}
		ps := userlist.Check(us)
		for i := range us {
			if m, ok := ps[i]; ok {
				v.add(config.Index(p+".user", i), "%s", m)
			}
		}
	}
}
