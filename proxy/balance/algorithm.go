package balance

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"haappliance/config"
)

// Kind is a balance algorithm, as named by HAProxy's "balance" keyword.
type Kind uint8

// The algorithms of HAProxy 2.6 that haappliance implements.
const (
	RoundRobin Kind = iota // "roundrobin": dynamic smooth weighted round robin
	StaticRR               // "static-rr": the same rotation; weights are static
	LeastConn              // "leastconn": fewest connections relative to weight
	First                  // "first": first server (declaration order) with a free slot
	Source                 // "source": hash of the client address
	URI                    // "uri": hash of the request URI (path part by default)
	URLParam               // "url_param NAME": hash of a query-string parameter
	Header                 // "hdr(NAME)": hash of a request header value
	Random                 // "random[(draws)]": weighted random, power of N choices
)

var kindNames = [...]string{
	RoundRobin: "roundrobin",
	StaticRR:   "static-rr",
	LeastConn:  "leastconn",
	First:      "first",
	Source:     "source",
	URI:        "uri",
	URLParam:   "url_param",
	Header:     "hdr",
	Random:     "random",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Hashed reports whether k picks its server by hashing a request property.
func (k Kind) Hashed() bool { return k == Source || k == URI || k == URLParam || k == Header }

// HashType is HAProxy's "hash-type" method.
type HashType uint8

const (
	MapBased   HashType = iota // modulo over the weighted server map (static)
	Consistent                 // hash ring with weight-proportional points (dynamic)
)

func (h HashType) String() string {
	if h == Consistent {
		return "consistent"
	}
	return "map-based"
}

// HashFunc is the function applied to the hash input (HAProxy's "hash-type"
// second word). The source algorithm does not use it: HAProxy folds the
// address words with XOR instead.
type HashFunc uint8

const (
	SDBM  HashFunc = iota // HAProxy's default
	DJB2                  // Bernstein's times-33 hash
	WT6                   // Willy Tarreau's wt6
	CRC32                 // the IEEE CRC-32
)

var funcNames = [...]string{SDBM: "sdbm", DJB2: "djb2", WT6: "wt6", CRC32: "crc32"}

func (f HashFunc) String() string {
	if int(f) < len(funcNames) {
		return funcNames[f]
	}
	return "HashFunc(" + strconv.Itoa(int(f)) + ")"
}

// Algorithm is a parsed "balance" plus "hash_type" pair. The zero value is
// roundrobin, HAProxy's default.
type Algorithm struct {
	Kind Kind
	// Param is the url_param name or the hdr() header name.
	Param string
	// Draws is the number of draws of random (HAProxy's random(N)); 0 means
	// the default, 2.
	Draws int

	// uri options.
	Whole    bool // hash the query string too
	PathOnly bool // strip scheme and authority of an absolute URI first
	Len      int  // hash at most this many bytes (0 = no limit)
	Depth    int  // hash at most this many directories (0 = no limit)

	CheckPost     bool // url_param: also look in a POST body
	UseDomainOnly bool // hdr: hash only the domain name part of the value

	HashType  HashType
	HashFunc  HashFunc
	Avalanche bool // pass the hash through HAProxy's full_hash()
}

// ParseError says which of the two strings is wrong and why.
type ParseError struct {
	Field string // "balance" or "hash_type"
	Msg   string
}

func (e *ParseError) Error() string { return e.Field + ": " + e.Msg }

func balanceErr(format string, args ...any) error {
	return &ParseError{Field: "balance", Msg: fmt.Sprintf(format, args...)}
}

func hashTypeErr(format string, args ...any) error {
	return &ParseError{Field: "hash_type", Msg: fmt.Sprintf(format, args...)}
}

// ParseAlgorithm parses the TOML values of a backend's "balance" and
// "hash_type" keys, with HAProxy 2.6's grammar and error wording. Empty
// strings select the defaults: roundrobin and "map-based sdbm".
func ParseAlgorithm(balance, hashType string) (Algorithm, error) {
	var a Algorithm
	if err := a.parseBalance(strings.Fields(balance)); err != nil {
		return Algorithm{}, err
	}
	if err := a.parseHashType(strings.Fields(hashType)); err != nil {
		return Algorithm{}, err
	}
	return a, nil
}

// Validate returns the problems of a balance/hash_type pair with key paths
// relative to the section ("balance", "hash_type"), for config.Prefix.
func Validate(balance, hashType string) []config.Problem {
	_, err := ParseAlgorithm(balance, hashType)
	var pe *ParseError
	if errors.As(err, &pe) {
		return []config.Problem{{Path: pe.Field, Msg: pe.Msg}}
	}
	return nil
}

func (a *Algorithm) parseBalance(args []string) error {
	if len(args) == 0 {
		a.Kind = RoundRobin
		return nil
	}
	name, rest := args[0], args[1:]
	switch {
	case name == "roundrobin", name == "static-rr", name == "leastconn",
		name == "first", name == "source":
		for k, n := range kindNames {
			if n == name {
				a.Kind = Kind(k)
			}
		}
		if len(rest) > 0 {
			return balanceErr("'%s' does not accept arguments (got '%s')", name, rest[0])
		}
	case strings.HasPrefix(name, "random"):
		a.Kind = Random
		if err := a.parseRandom(name[len("random"):]); err != nil {
			return err
		}
		if len(rest) > 0 {
			return balanceErr("'random' does not accept arguments (got '%s')", rest[0])
		}
	case name == "uri":
		a.Kind = URI
		return a.parseURIOptions(rest)
	case name == "url_param":
		a.Kind = URLParam
		if len(rest) == 0 {
			return balanceErr("url_param requires an URL parameter name")
		}
		a.Param = rest[0]
		if len(rest) > 1 {
			if rest[1] != "check_post" || len(rest) > 2 {
				return balanceErr("url_param only accepts 'check_post' modifier (got '%s')", rest[len(rest)-1])
			}
			a.CheckPost = true
		}
	case strings.HasPrefix(name, "hdr("):
		a.Kind = Header
		end := strings.IndexByte(name, ')')
		if end <= len("hdr(") || end != len(name)-1 {
			return balanceErr("hdr requires an http header field name, as hdr(NAME)")
		}
		a.Param = name[len("hdr("):end]
		if !validToken(a.Param) {
			return balanceErr("hdr: '%s' is not a valid header field name", a.Param)
		}
		if len(rest) > 0 {
			if rest[0] != "use_domain_only" || len(rest) > 1 {
				return balanceErr("hdr only accepts 'use_domain_only' modifier (got '%s')", rest[len(rest)-1])
			}
			a.UseDomainOnly = true
		}
	default:
		return balanceErr("unknown algorithm '%s': only 'roundrobin', 'static-rr', 'leastconn', 'first', "+
			"'source', 'uri', 'url_param', 'hdr(name)' and 'random' are supported", name)
	}
	return nil
}

// parseRandom parses what follows "random": nothing or "(N)" with N >= 1.
func (a *Algorithm) parseRandom(s string) error {
	if s == "" || s == "()" {
		return nil
	}
	if s[0] != '(' {
		return balanceErr("unknown algorithm 'random%s'", s)
	}
	if s[len(s)-1] != ')' {
		return balanceErr("random: missing closing parenthesis")
	}
	n, err := strconv.Atoi(s[1 : len(s)-1])
	if err != nil {
		return balanceErr("random: '%s' is not a number of draws", s[1:len(s)-1])
	}
	if n < 1 || n > 100 {
		return balanceErr("random: number of draws must be between 1 and 100 (got %d)", n)
	}
	a.Draws = n
	return nil
}

func (a *Algorithm) parseURIOptions(args []string) error {
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "whole":
			a.Whole = true
		case "path-only":
			a.PathOnly = true
		case "len", "depth":
			if i+1 >= len(args) {
				return balanceErr("uri: '%s' expects a positive integer (got end of line)", args[i])
			}
			n, err := strconv.Atoi(args[i+1])
			if err != nil || n <= 0 || n > 1<<20 {
				return balanceErr("uri: '%s' expects a positive integer (got '%s')", args[i], args[i+1])
			}
			if args[i] == "len" {
				a.Len = n
			} else {
				a.Depth = n
			}
			i++
		default:
			return balanceErr("uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got '%s')", args[i])
		}
	}
	return nil
}

func (a *Algorithm) parseHashType(args []string) error {
	if len(args) == 0 {
		return nil
	}
	switch args[0] {
	case "map-based":
		a.HashType = MapBased
	case "consistent":
		a.HashType = Consistent
	default:
		return hashTypeErr("unknown method '%s': expects 'map-based' or 'consistent'", args[0])
	}
	args = args[1:]
	if len(args) > 0 {
		switch args[0] {
		case "sdbm":
			a.HashFunc = SDBM
		case "djb2":
			a.HashFunc = DJB2
		case "wt6":
			a.HashFunc = WT6
		case "crc32":
			a.HashFunc = CRC32
		case "avalanche":
			a.Avalanche = true
		default:
			return hashTypeErr("unknown function '%s': expects 'sdbm', 'djb2', 'wt6' or 'crc32'", args[0])
		}
		args = args[1:]
	}
	if len(args) > 0 {
		if args[0] != "avalanche" || a.Avalanche {
			return hashTypeErr("unknown modifier '%s': expects 'avalanche'", args[0])
		}
		a.Avalanche = true
		args = args[1:]
	}
	if len(args) > 0 {
		return hashTypeErr("unexpected '%s' after the modifier", args[0])
	}
	return nil
}

// validToken reports whether s is an RFC 9110 token (a header field name).
func validToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return s != ""
}
