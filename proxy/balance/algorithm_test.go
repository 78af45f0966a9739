package balance

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"haappliance/config"
)

func TestParseAlgorithm(t *testing.T) {
	tests := []struct {
		balance, hashType string
		want              Algorithm
	}{
		{"", "", Algorithm{Kind: RoundRobin}},
		{"roundrobin", "", Algorithm{Kind: RoundRobin}},
		{"  static-rr ", "", Algorithm{Kind: StaticRR}},
		{"leastconn", "", Algorithm{Kind: LeastConn}},
		{"first", "", Algorithm{Kind: First}},
		{"source", "", Algorithm{Kind: Source}},
		{"source", "consistent", Algorithm{Kind: Source, HashType: Consistent}},
		{"source", "map-based avalanche", Algorithm{Kind: Source, Avalanche: true}},
		{"uri", "consistent djb2 avalanche", Algorithm{Kind: URI, HashType: Consistent, HashFunc: DJB2, Avalanche: true}},
		{"uri whole len 12 depth 3 path-only", "map-based wt6",
			Algorithm{Kind: URI, Whole: true, Len: 12, Depth: 3, PathOnly: true, HashFunc: WT6}},
		{"url_param userid", "consistent crc32", Algorithm{Kind: URLParam, Param: "userid", HashType: Consistent, HashFunc: CRC32}},
		{"url_param userid check_post", "", Algorithm{Kind: URLParam, Param: "userid", CheckPost: true}},
		{"hdr(Host)", "", Algorithm{Kind: Header, Param: "Host"}},
		{"hdr(host) use_domain_only", "", Algorithm{Kind: Header, Param: "host", UseDomainOnly: true}},
		{"random", "", Algorithm{Kind: Random}},
		{"random()", "", Algorithm{Kind: Random}},
		{"random(5)", "", Algorithm{Kind: Random, Draws: 5}},
		{"roundrobin", "consistent sdbm", Algorithm{Kind: RoundRobin, HashType: Consistent}},
	}
	for _, tt := range tests {
		got, err := ParseAlgorithm(tt.balance, tt.hashType)
		if err != nil {
			t.Errorf("ParseAlgorithm(%q, %q): %v", tt.balance, tt.hashType, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseAlgorithm(%q, %q) (-want +got):\n%s", tt.balance, tt.hashType, diff)
		}
		// The normalised strings parse back to the same algorithm.
		again, err := ParseAlgorithm(got.String(), got.HashTypeString())
		if err != nil {
			t.Errorf("re-parse of %q / %q: %v", got.String(), got.HashTypeString(), err)
		} else if diff := cmp.Diff(got.withDraws(), again.withDraws()); diff != "" {
			t.Errorf("re-parse of %q (-want +got):\n%s", got.String(), diff)
		}
	}
}

// withDraws makes the default number of draws explicit for comparisons.
func (a Algorithm) withDraws() Algorithm {
	if a.Kind == Random {
		a.Draws = a.draws()
	}
	return a
}

func TestParseAlgorithmErrors(t *testing.T) {
	tests := []struct {
		balance, hashType string
		field, msg        string // msg: a substring of the message
	}{
		{"roundrobin extra", "", "balance", "does not accept arguments"},
		{"rdp-cookie", "", "balance", "unknown algorithm 'rdp-cookie'"},
		{"RoundRobin", "", "balance", "unknown algorithm"},
		{"url_param", "", "balance", "requires an URL parameter name"},
		{"url_param a b", "", "balance", "only accepts 'check_post'"},
		{"url_param a check_post 10", "", "balance", "only accepts 'check_post'"},
		{"hdr()", "", "balance", "requires an http header field name"},
		{"hdr(Host", "", "balance", "requires an http header field name"},
		{"hdr(Host)x", "", "balance", "requires an http header field name"},
		{"hdr(a b)", "", "balance", "requires an http header field name"},
		{"hdr(a:b)", "", "balance", "not a valid header field name"},
		{"hdr(Host) foo", "", "balance", "only accepts 'use_domain_only'"},
		{"random(0)", "", "balance", "between 1 and 100"},
		{"random(x)", "", "balance", "not a number of draws"},
		{"random(2", "", "balance", "missing closing parenthesis"},
		{"randomly", "", "balance", "unknown algorithm 'randomly'"},
		{"random 2", "", "balance", "does not accept arguments"},
		{"uri len", "", "balance", "expects a positive integer (got end of line)"},
		{"uri len 0", "", "balance", "expects a positive integer (got '0')"},
		{"uri depth -1", "", "balance", "expects a positive integer"},
		{"uri sideways", "", "balance", "only accepts parameters"},
		{"source", "rendezvous", "hash_type", "unknown method 'rendezvous'"},
		{"source", "consistent md5", "hash_type", "unknown function 'md5'"},
		{"source", "consistent sdbm flat", "hash_type", "unknown modifier 'flat'"},
		{"source", "consistent avalanche avalanche", "hash_type", "unknown modifier 'avalanche'"},
		{"source", "consistent sdbm avalanche x", "hash_type", "unexpected 'x'"},
	}
	for _, tt := range tests {
		_, err := ParseAlgorithm(tt.balance, tt.hashType)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseAlgorithm(%q, %q) = %v, want a *ParseError", tt.balance, tt.hashType, err)
			continue
		}
		if pe.Field != tt.field || !strings.Contains(pe.Msg, tt.msg) {
			t.Errorf("ParseAlgorithm(%q, %q) = %q, want field %q and %q", tt.balance, tt.hashType, err, tt.field, tt.msg)
		}
	}
}

func TestValidate(t *testing.T) {
	if got := Validate("roundrobin", "consistent"); got != nil {
		t.Errorf("Validate(valid) = %v, want nil", got)
	}
	want := []config.Problem{{Path: "hash_type", Msg: "unknown method 'x': expects 'map-based' or 'consistent'"}}
	if diff := cmp.Diff(want, Validate("source", "x")); diff != "" {
		t.Errorf("Validate (-want +got):\n%s", diff)
	}
}

func TestNeedsHashAndDynamic(t *testing.T) {
	tests := []struct {
		balance, hashType string
		need              HashInput
		dynamic           bool
	}{
		{"roundrobin", "", HashInput{}, true},
		{"static-rr", "", HashInput{}, false},
		{"leastconn", "", HashInput{}, true},
		{"first", "", HashInput{}, true},
		{"random", "", HashInput{}, true},
		{"source", "", HashInput{Kind: InputSource}, false},
		{"source", "consistent", HashInput{Kind: InputSource}, true},
		{"uri", "", HashInput{Kind: InputURI}, false},
		{"url_param sid check_post", "", HashInput{Kind: InputURLParam, Name: "sid", Body: true}, false},
		{"hdr(X-User)", "consistent", HashInput{Kind: InputHeader, Name: "X-User"}, true},
	}
	for _, tt := range tests {
		a := mustParse(t, tt.balance, tt.hashType)
		if diff := cmp.Diff(tt.need, a.NeedsHash()); diff != "" {
			t.Errorf("%q NeedsHash (-want +got):\n%s", tt.balance, diff)
		}
		if got := a.Dynamic(); got != tt.dynamic {
			t.Errorf("%q %q Dynamic = %v, want %v", tt.balance, tt.hashType, got, tt.dynamic)
		}
	}
}
