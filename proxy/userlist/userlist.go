package userlist

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync/atomic"
)

// User is one user line of a userlist: Password is plain text, or a
// crypt(3) SHA-512 hash when it starts with "$".
type User struct {
	Name     string
	Password string
	Groups   []string
}

// List is a compiled userlist. It is safe for concurrent use and
// implements the proxy/acl Userlist interface for http_auth(NAME).
type List struct {
	name  string
	users []entry
}

type entry struct {
	name   []byte
	plain  []byte   // plain password; nil when hashed
	hash   hashSpec // SHA-512 crypt
	groups []string
	// ok caches the SHA-256 of the last password that passed the (slow)
	// crypt check, so a browser resending the same credentials costs one
	// SHA-256 instead of 5000 SHA-512 rounds.
	ok atomic.Pointer[[32]byte]
}

// Check reports every problem of a userlist's users, as messages indexed
// by user: empty names, duplicate names and unsupported hashes.
func Check(users []User) map[int]string {
	out := map[int]string{}
	seen := map[string]bool{}
	for i, u := range users {
		switch {
		case u.Name == "":
			out[i] = "user without a name"
		case strings.ContainsAny(u.Name, ":\r\n"):
			out[i] = fmt.Sprintf("user name '%s' must not contain ':' or line breaks", u.Name)
		case seen[u.Name]:
			out[i] = fmt.Sprintf("duplicate user '%s'", u.Name)
		case strings.HasPrefix(u.Password, "$"):
			if h, err := parseSHA512(u.Password); err != nil {
				out[i] = fmt.Sprintf("user '%s': %v", u.Name, err)
			} else if h.hash == "" {
				out[i] = fmt.Sprintf("user '%s': SHA-512 crypt setting without a hash", u.Name)
			}
		}
		seen[u.Name] = true
	}
	return out
}

// New compiles a userlist; it fails on the first problem Check reports.
func New(name string, users []User) (*List, error) {
	if ps := Check(users); len(ps) > 0 {
		for i := range users {
			if m, ok := ps[i]; ok {
				return nil, fmt.Errorf("userlist '%s': %s", name, m)
			}
		}
	}
	l := &List{name: name, users: make([]entry, len(users))}
	for i, u := range users {
		e := &l.users[i]
		e.name, e.groups = []byte(u.Name), u.Groups
		if strings.HasPrefix(u.Password, "$") {
			e.hash, _ = parseSHA512(u.Password)
		} else {
			e.plain = []byte(u.Password)
		}
	}
	return l, nil
}

// Name is the userlist's name.
func (l *List) Name() string { return l.name }

// Authenticate checks an Authorization header value ("Basic base64").
func (l *List) Authenticate(credentials []byte) bool {
	_, ok := l.User(credentials)
	return ok
}

// User checks an Authorization header value and returns the index of the
// user it authenticates.
func (l *List) User(credentials []byte) (int, bool) {
	var buf [maxCredentials]byte
	user, pass, ok := ParseBasic(credentials, buf[:])
	if !ok {
		return -1, false
	}
	return l.Check(user, pass)
}

// Check verifies a user name and password; the password comparison is
// constant-time (the user lookup is not: names are not secret).
func (l *List) Check(user, pass []byte) (int, bool) {
	for i := range l.users {
		e := &l.users[i]
		if string(e.name) != string(user) {
			continue
		}
		if e.plain != nil {
			return i, subtle.ConstantTimeCompare(e.plain, pass) == 1
		}
		sum := sha256.Sum256(pass)
		if c := e.ok.Load(); c != nil && subtle.ConstantTimeCompare(c[:], sum[:]) == 1 {
			return i, true
		}
		d := sha512Sum(pass, e.hash.salt, e.hash.rounds)
		var enc [sha512EncodedLen]byte
		got := appendEncoded(enc[:0], &d)
		if subtle.ConstantTimeCompare(got, []byte(e.hash.hash)) == 1 {
			e.ok.Store(&sum)
			return i, true
		}
		return i, false
	}
	return -1, false
}

// UserName returns the name of user i.
func (l *List) UserName(i int) string { return string(l.users[i].name) }

// InGroup reports whether user i belongs to group g.
func (l *List) InGroup(i int, g string) bool {
	for _, x := range l.users[i].groups {
		if x == g {
			return true
		}
	}
	return false
}

// maxCredentials bounds the decoded "user:password" of a Basic header.
const maxCredentials = 1024

// ParseBasic decodes an Authorization header value of the Basic scheme
// (RFC 7617) into buf and splits it at the first ':'. The scheme name is
// case-insensitive; blanks around the token are ignored. It does not
// allocate; user and pass point into buf.
func ParseBasic(v, buf []byte) (user, pass []byte, ok bool) {
	v = trim(v)
	if len(v) < 6 || !strings.EqualFold(string(v[:5]), "basic") || (v[5] != ' ' && v[5] != '\t') {
		return nil, nil, false
	}
	tok := trim(v[6:])
	if base64.StdEncoding.DecodedLen(len(tok)) > len(buf) {
		return nil, nil, false
	}
	n, err := base64.StdEncoding.Decode(buf, tok)
	if err != nil {
		return nil, nil, false
	}
	dec := buf[:n]
	for i, c := range dec {
		if c == ':' {
			return dec[:i], dec[i+1:], true
		}
	}
	return nil, nil, false
}

// CheckPairs verifies an Authorization header value against "user:password"
// pairs (the stats page's auth list) in constant time over the pairs.
func CheckPairs(authorization []byte, pairs []string) bool {
	var buf [maxCredentials]byte
	user, pass, ok := ParseBasic(authorization, buf[:])
	if !ok {
		return false
	}
	match := 0
	for _, p := range pairs {
		u, pw, _ := strings.Cut(p, ":")
		eq := subtle.ConstantTimeCompare(user, []byte(u)) & subtle.ConstantTimeCompare(pass, []byte(pw))
		match |= eq
	}
	return match == 1
}

func trim(v []byte) []byte {
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v
}
