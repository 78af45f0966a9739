package convert

import (
	"os"
	"testing"
)

// BenchmarkConvertFull measures one conversion of the testdata configs (a
// one-off command, not a hot path: this guards against pathological cost).
func BenchmarkConvertFull(b *testing.B) {
	h, err := os.ReadFile("testdata/full.cfg")
	if err != nil {
		b.Fatal(err)
	}
	k, err := os.ReadFile("testdata/full.keepalived.conf")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Convert("h", h, "k", k); err != nil {
			b.Fatal(err)
		}
	}
}
