package balance

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
	"unsafe"
)

func FuzzParseAlgorithm(f *testing.F) {
	for _, s := range [][2]string{
		{"", ""}, {"roundrobin", ""}, {"static-rr", "map-based"}, {"leastconn", ""},
		{"first", ""}, {"source", "consistent avalanche"}, {"uri whole len 10 depth 2 path-only", "consistent wt6"},
		{"url_param sid check_post", "map-based crc32 avalanche"}, {"hdr(Host) use_domain_only", "consistent djb2"},
		{"random(3)", ""}, {"random(", ""}, {"hdr()", ""}, {"uri len", ""}, {"source", "consistent sdbm avalanche x"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, balance, hashType string) {
		a, err := ParseAlgorithm(balance, hashType)
		probs := Validate(balance, hashType)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || len(probs) != 1 || probs[0].Path != pe.Field {
				t.Fatalf("error %v, problems %v", err, probs)
			}
			return
		}
		if probs != nil {
			t.Fatalf("valid input has problems %v", probs)
		}
		b, err := ParseAlgorithm(a.String(), a.HashTypeString())
		if err != nil {
			t.Fatalf("normalised %q / %q does not parse: %v", a.String(), a.HashTypeString(), err)
		}
		if a.withDraws() != b.withDraws() {
			t.Fatalf("round trip: %+v became %+v", a, b)
		}
		_ = a.NeedsHash()
		_ = a.Dynamic()
	})
}

// within reports whether sub is a slice of buf's memory.
func within(sub, buf []byte) bool {
	if len(sub) == 0 {
		return true
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(sub)))
	return p >= start && p+uintptr(len(sub)) <= start+uintptr(len(buf))
}

func FuzzFromURI(f *testing.F) {
	for _, s := range []string{"/", "/a/b?c=d&sid=1", "http://h/x?sid=", "*", "h:443", "?sid=&sid=2", ""} {
		f.Add(s, uint8(0), uint8(0), false, false)
	}
	f.Fuzz(func(t *testing.T, target string, l, d uint8, whole, pathOnly bool) {
		buf := []byte(target)
		for _, a := range []Algorithm{
			{Kind: URI, Len: int(l), Depth: int(d), Whole: whole, PathOnly: pathOnly},
			{Kind: URLParam, Param: "sid", CheckPost: true},
			{Kind: Header, UseDomainOnly: pathOnly},
		} {
			for _, got := range [][]byte{a.FromURI(buf), a.FromBody(buf), a.FromHeader(buf)} {
				if !within(got, buf) {
					t.Fatalf("%+v: result %q is not part of the input", a, got)
				}
			}
			if a.Kind == URI && !pathOnly {
				got := a.FromURI(buf)
				if !bytes.HasPrefix(buf, got) || l > 0 && len(got) > int(l) {
					t.Fatalf("%+v: %q is not a prefix of %q within len", a, got, buf)
				}
			}
		}
	})
}

// FuzzPick builds a backend from the input and checks the pick against the
// pool rules whatever the state.
func FuzzPick(f *testing.F) {
	f.Add([]byte{1, 0, 3, 0, 0, 2}, "roundrobin", "", false, []byte("/x"))
	f.Add([]byte{0, 1, 255, 7, 1, 9}, "source", "consistent", true, []byte{})
	f.Add([]byte{5, 2, 0, 0, 1, 1, 9, 3}, "random(3)", "", false, []byte(nil))
	f.Fuzz(func(t *testing.T, spec []byte, balance, hashType string, allBackups bool, hash []byte) {
		a, err := ParseAlgorithm(balance, hashType)
		if err != nil || len(spec) > 64 {
			return
		}
		var servers []srv
		for i := 0; i+1 < len(spec); i += 2 {
			w, flags := spec[i], spec[i+1]
			servers = append(servers, srv{w: int(w), down: flags&1 != 0, backup: flags&2 != 0,
				maxconn: int(flags>>2) & 3, active: int(flags>>4) & 3})
		}
		_, ts := fakes(servers)
		b := New(a, ts, allBackups)
		pool, _ := b.Pool()
		idx, err := b.Pick(Key{Src: netip.AddrFrom4([4]byte{spec0(spec), 1, 2, 3}), Hash: hash})
		switch {
		case len(pool) == 0:
			if !errors.Is(err, ErrNoServer) {
				t.Fatalf("empty pool: %d, %v", idx, err)
			}
		case errors.Is(err, ErrAllFull):
			for _, i := range pool {
				if !ts[i].Full() {
					t.Fatalf("ErrAllFull but server %d has room", i)
				}
			}
		case err != nil:
			t.Fatalf("Pick: %v", err)
		default:
			found := false
			for _, i := range pool {
				found = found || i == idx
			}
			if !found {
				t.Fatalf("picked %d, not in pool %v", idx, pool)
			}
		}
	})
}

func spec0(b []byte) byte {
	if len(b) == 0 {
		return 0
	}
	return b[0]
}
