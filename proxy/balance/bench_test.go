package balance

import (
	"fmt"
	"net/netip"
	"testing"
)

var benchAlgorithms = []struct{ name, balance, hashType string }{
	{"roundrobin", "roundrobin", ""},
	{"static-rr", "static-rr", ""},
	{"leastconn", "leastconn", ""},
	{"first", "first", ""},
	{"random", "random", ""},
	{"source", "source", ""},
	{"source-consistent", "source", "consistent avalanche"},
	{"uri", "uri", ""},
	{"uri-consistent", "uri", "consistent"},
	{"hdr-fallback", "hdr(X-User)", ""},
}

func benchBalancer(b *testing.B, balance, hashType string, n int) *Balancer {
	specs := make([]srv, n)
	for i := range specs {
		specs[i] = srv{w: 1 + i%4, maxconn: 1000, active: i % 7}
	}
	_, ts := fakes(specs)
	return New(mustParse(b, balance, hashType), ts, false)
}

var benchKey = Key{Src: netip.MustParseAddr("198.18.0.50"), Hash: []byte("/ms1/static/app.js")}

// BenchmarkPick: every algorithm must pick with 0 allocs/op.
func BenchmarkPick(b *testing.B) {
	for _, n := range []int{6, 64} {
		for _, alg := range benchAlgorithms {
			bal := benchBalancer(b, alg.balance, alg.hashType, n)
			k := benchKey
			if alg.name == "hdr-fallback" {
				k.Hash = nil
			}
			b.Run(fmt.Sprintf("%s/servers=%d", alg.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := bal.Pick(k); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkPickParallel(b *testing.B) {
	for _, alg := range benchAlgorithms {
		bal := benchBalancer(b, alg.balance, alg.hashType, 6)
		b.Run(alg.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := bal.Pick(benchKey); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkUpdate: the no-change Update the engine may call after every
// check, and a rebuild after a weight change.
func BenchmarkUpdate(b *testing.B) {
	for _, alg := range []struct{ balance, hashType string }{{"roundrobin", ""}, {"uri", ""}, {"uri", "consistent"}} {
		specs := make([]srv, 64)
		for i := range specs {
			specs[i] = srv{w: 1 + i%4}
		}
		fs, ts := fakes(specs)
		bal := New(mustParse(b, alg.balance, alg.hashType), ts, false)
		name := alg.balance + "-" + alg.hashType
		b.Run(name+"/unchanged", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bal.Update()
			}
		})
		b.Run(name+"/rebuild", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				fs[0].weight.Store(int32(1 + i%2))
				bal.Update()
			}
		})
	}
}
