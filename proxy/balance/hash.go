package balance

import (
	"encoding/binary"
	"net/netip"
)

// The hash functions below compute the same 32-bit values as HAProxy 2.6's
// src/hash.c (bytes are taken unsigned), so a map-based or consistent
// backend sends a given key to the same server as HAProxy with the same
// servers, weights and order.

func hashSDBM(b []byte) uint32 {
	var h uint32
	for _, c := range b {
		h = uint32(c) + h<<6 + h<<16 - h // h*65599 + c
	}
	return h
}

func hashDJB2(b []byte) uint32 {
	h := uint32(5381)
	for _, c := range b {
		h = h<<5 + h + uint32(c) // h*33 + c
	}
	return h
}

func hashWT6(b []byte) uint32 {
	h0, h1 := uint32(0xa53c965a), uint32(0x5ca6953a)
	step0, step1 := uint32(6), uint32(18)
	for _, c := range b {
		t := uint32(c)
		h0 = ^(h0 ^ t)
		h1 = ^(h1 + t)
		t = h1<<step0 | h1>>(32-step0)
		h1 = h0<<step1 | h0>>(32-step1)
		h0 = t
		t = (h0>>16 ^ h1) & 0xffff
		step0 = t & 0x1f
		step1 = t >> 11
	}
	return h0 ^ h1
}

// hashCRC32 is the bitwise IEEE CRC-32 (reflected polynomial 0xedb88320), the
// same value as hash/crc32.ChecksumIEEE, without its table.
func hashCRC32(b []byte) uint32 {
	h := ^uint32(0)
	for _, c := range b {
		h ^= uint32(c)
		for range 8 {
			h = h>>1 ^ 0xedb88320&-(h&1)
		}
	}
	return ^h
}

// fullHash is HAProxy's full_hash(): one of Bob Jenkins' 32-bit integer
// avalanche functions followed by a multiplication by a large prime, used
// for the "avalanche" modifier and for the consistent-hash ring points.
func fullHash(a uint32) uint32 {
	a = (a + 0x7ed55d16) + a<<12
	a = (a ^ 0xc761c23c) ^ a>>19
	a = (a + 0x165667b1) + a<<5
	a = (a + 0xd3a2646c) ^ a<<9
	a = (a + 0xfd7046c5) + a<<3
	a = (a ^ 0xb55a4f09) ^ a>>16
	return a * 3221225473
}

// hashBytes applies the configured function and modifier to a hash input.
func (a *Algorithm) hashBytes(b []byte) uint32 {
	var h uint32
	switch a.HashFunc {
	case DJB2:
		h = hashDJB2(b)
	case WT6:
		h = hashWT6(b)
	case CRC32:
		h = hashCRC32(b)
	default:
		h = hashSDBM(b)
	}
	if a.Avalanche {
		h = fullHash(h)
	}
	return h
}

// hashAddr is HAProxy's source hash: the XOR of the address's 32-bit words
// in network order (the address itself for IPv4), then the optional
// avalanche. IPv4-mapped IPv6 addresses hash as IPv4, as a client of an
// IPv4 listener does in HAProxy.
func (a *Algorithm) hashAddr(ip netip.Addr) uint32 {
	ip = ip.Unmap()
	var h uint32
	if ip.Is4() {
		b := ip.As4()
		h = binary.BigEndian.Uint32(b[:])
	} else {
		b := ip.As16()
		for i := 0; i < 16; i += 4 {
			h ^= binary.BigEndian.Uint32(b[i:])
		}
	}
	if a.Avalanche {
		h = fullHash(h)
	}
	return h
}

// buildMap builds HAProxy's map-based table (lb_map.c recalc_server_map) for
// the servers of pool with their weights: each server appears weight times,
// spread by a running score, the first declared winning ties. The result
// holds target indices; a hash h selects m[h % len(m)].
func buildMap(pool []member) []int32 {
	tot := 0
	for _, m := range pool {
		tot += m.weight
	}
	out := make([]int32, tot)
	if len(pool) == 1 || tot == 1 {
		for i := range out {
			out[i] = pool[0].idx
		}
		return out
	}
	score := make([]int, len(pool))
	for o := range out {
		best, max := -1, 0
		for i, m := range pool {
			score[i] += m.weight
			if v := (score[i] + tot) / tot; best < 0 || v > max {
				best, max = i, v
			}
		}
		out[o] = pool[best].idx
		score[best] -= tot
	}
	return out
}

// divideWeights returns a copy of pool with every weight divided by g,
// rounded up, as HAProxy computes a map-based server's effective weight from
// the greatest common divisor of the configured weights (init_server_map),
// so that "weight 10" and "weight 20" make a table of 3 entries, not 30.
func divideWeights(pool []member, g int) []member {
	out := make([]member, len(pool))
	for i, m := range pool {
		out[i] = m
		if g > 1 {
			out[i].weight = (m.weight + g - 1) / g
		}
	}
	return out
}

// weightGCD returns the greatest common divisor of the non-zero weights.
func weightGCD(pool []member) int {
	g := 0
	for _, m := range pool {
		g = gcd(g, m.weight)
	}
	return g
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
