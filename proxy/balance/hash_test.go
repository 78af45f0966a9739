package balance

import (
	"hash/crc32"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Vectors computed with HAProxy 2.6's src/hash.c and full_hash().
func TestHashFunctions(t *testing.T) {
	tests := []struct {
		in                     string
		sdbm, djb2, wt6, crc32 uint32
	}{
		{"", 0x00000000, 0x00001505, 0xf99a0360, 0x00000000},
		{"a", 0x00000061, 0x0002b606, 0x714bf225, 0xe8b7be43},
		{"hello, world", 0xee6fb30c, 0xb0e4250d, 0x00e0b528, 0xffab723a},
		{"/ms1/index.html", 0x2bc7f4fa, 0xc98bf8cf, 0x741dc8cf, 0x39ae9119},
		{"\x80\xff\x7f", 0x4006ffc0, 0x0b88f4c3, 0xed66f593, 0x4dea534d},
	}
	for _, tt := range tests {
		b := []byte(tt.in)
		want := []uint32{tt.sdbm, tt.djb2, tt.wt6, tt.crc32}
		got := []uint32{hashSDBM(b), hashDJB2(b), hashWT6(b), hashCRC32(b)}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("hashes of %q (-want +got):\n%s", tt.in, diff)
		}
		if c := crc32.ChecksumIEEE(b); c != hashCRC32(b) {
			t.Errorf("hashCRC32(%q) = %#x, hash/crc32 says %#x", tt.in, hashCRC32(b), c)
		}
	}
}

func TestFullHash(t *testing.T) {
	tests := []struct{ in, want uint32 }{
		{0, 0xab4ed927},
		{1, 0x348681b6},
		{4096, 0x49c2008b},
		{0xc6120032, 0xfec29d8a},
		{0xffffffff, 0x7e64c182},
	}
	for _, tt := range tests {
		if got := fullHash(tt.in); got != tt.want {
			t.Errorf("fullHash(%#x) = %#x, want %#x", tt.in, got, tt.want)
		}
	}
}

func TestHashAddr(t *testing.T) {
	plain := Algorithm{}
	aval := Algorithm{Avalanche: true}
	tests := []struct {
		a    Algorithm
		ip   string
		want uint32
	}{
		{plain, "198.18.0.50", 0xc6120032},
		{plain, "::ffff:198.18.0.50", 0xc6120032},
		{aval, "198.18.0.50", 0xfec29d8a},
		{plain, "2001:db8::1", 0x20010db8 ^ 0 ^ 0 ^ 1},
	}
	for _, tt := range tests {
		if got := tt.a.hashAddr(netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("hashAddr(%s) = %#x, want %#x", tt.ip, got, tt.want)
		}
	}
}

// The map is HAProxy's recalc_server_map table, traced by hand.
func TestBuildMap(t *testing.T) {
	tests := []struct {
		weights []int
		want    []int32
	}{
		{[]int{1}, []int32{0}},
		{[]int{1, 1}, []int32{0, 1}},
		{[]int{1, 1, 1}, []int32{0, 1, 2}},
		{[]int{3, 1}, []int32{0, 0, 0, 1}},
		{[]int{1, 3}, []int32{0, 1, 1, 1}},
		{[]int{2, 1}, []int32{0, 0, 1}},
		{[]int{2, 2}, []int32{0, 1, 0, 1}},
	}
	for _, tt := range tests {
		pool := make([]member, len(tt.weights))
		for i, w := range tt.weights {
			pool[i] = member{idx: int32(i), weight: w}
		}
		if diff := cmp.Diff(tt.want, buildMap(pool)); diff != "" {
			t.Errorf("buildMap(%v) (-want +got):\n%s", tt.weights, diff)
		}
	}
}

func TestMapBasedHash(t *testing.T) {
	// Two servers of weight 1: HAProxy's map is [srv1, srv2], so source
	// sends an IPv4 client to srv(1 + ip%2).
	_, ts := fakes(weights(1, 1))
	b := New(mustParse(t, "source", ""), ts, false)
	for _, tt := range []struct {
		ip   string
		want int
	}{{"198.18.0.50", 0}, {"198.18.0.51", 1}, {"10.0.0.7", 1}} {
		got, err := b.Pick(Key{Src: netip.MustParseAddr(tt.ip)})
		if err != nil || got != tt.want {
			t.Errorf("source %s = %d, %v; want %d", tt.ip, got, err, tt.want)
		}
	}

	// Weights 10 and 20 are divided by their GCD: a 3-entry table
	// [srv1, srv2, srv2], even after srv1 goes down and comes back.
	fs, ts := fakes(weights(10, 20))
	b = New(mustParse(t, "uri", ""), ts, false)
	for _, uri := range []string{"/a", "/b", "/ms1/index.html", ""} {
		want := []int{0, 1, 1}[hashSDBM([]byte(uri))%3]
		if got, _ := b.Pick(Key{Hash: []byte(uri)}); got != want {
			t.Errorf("uri %q = %d, want %d", uri, got, want)
		}
	}
	fs[0].down.Store(true)
	b.Update()
	if got, _ := b.Pick(Key{Hash: []byte("/a")}); got != 1 {
		t.Errorf("uri with srv1 down = %d, want 1", got)
	}
}
