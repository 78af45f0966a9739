package userlist

import (
	"crypto/sha512"
	"errors"
	"strconv"
	"strings"
)

// SHA-crypt parameters (Drepper, "Unix crypt using SHA-256 and SHA-512").
const (
	sha512Prefix     = "$6$"
	roundsPrefix     = "rounds="
	defaultRounds    = 5000
	minRounds        = 1000
	maxRounds        = 999999999
	maxSaltLen       = 16
	cryptAlphabet    = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	sha512EncodedLen = 86
)

// ErrUnsupportedHash is returned for a '$'-prefixed password that is not a
// SHA-512 crypt hash.
var ErrUnsupportedHash = errors.New("unsupported password hash (only crypt(3) SHA-512 \"$6$...\" is supported)")

// hashSpec is a parsed "$6$[rounds=N$]salt$hash" string.
type hashSpec struct {
	salt   []byte
	rounds int
	custom bool   // rounds= was given (it is then part of the output)
	hash   string // the encoded digest, may be empty when only a setting was given
}

// parseSHA512 parses a crypt(3) SHA-512 hash or setting.
func parseSHA512(s string) (hashSpec, error) {
	if !strings.HasPrefix(s, sha512Prefix) {
		return hashSpec{}, ErrUnsupportedHash
	}
	rest := s[len(sha512Prefix):]
	h := hashSpec{rounds: defaultRounds}
	if strings.HasPrefix(rest, roundsPrefix) {
		num, after, ok := strings.Cut(rest[len(roundsPrefix):], "$")
		n, err := strconv.ParseUint(num, 10, 64)
		if !ok || err != nil {
			return hashSpec{}, errors.New("invalid 'rounds=' in SHA-512 crypt hash")
		}
		h.rounds = int(min(max(n, minRounds), maxRounds))
		h.custom = true
		rest = after
	}
	salt, hash, _ := strings.Cut(rest, "$")
	if len(salt) > maxSaltLen {
		salt = salt[:maxSaltLen]
	}
	h.salt, h.hash = []byte(salt), hash
	if h.hash != "" && len(h.hash) != sha512EncodedLen {
		return hashSpec{}, errors.New("invalid SHA-512 crypt hash length")
	}
	return h, nil
}

// Crypt hashes password with a SHA-512 crypt setting ("$6$salt" or
// "$6$rounds=N$salt", a trailing "$hash" is ignored) and returns the full
// crypt(3) string, as glibc's crypt(password, setting).
func Crypt(password, setting string) (string, error) {
	h, err := parseSHA512(setting)
	if err != nil {
		return "", err
	}
	sum := sha512Sum([]byte(password), h.salt, h.rounds)
	out := make([]byte, 0, 128)
	out = append(out, sha512Prefix...)
	if h.custom {
		out = append(out, roundsPrefix...)
		out = strconv.AppendInt(out, int64(h.rounds), 10)
		out = append(out, '$')
	}
	out = append(out, h.salt...)
	out = append(out, '$')
	out = appendEncoded(out, &sum)
	return string(out), nil
}

// sha512Sum runs the SHA-512 crypt algorithm (steps 1-21 of the
// specification) and returns the final digest C.
func sha512Sum(key, salt []byte, rounds int) [64]byte {
	// Digest B: key, salt, key.
	b := sha512.New()
	b.Write(key)
	b.Write(salt)
	b.Write(key)
	var db [64]byte
	b.Sum(db[:0])

	// Digest A.
	a := sha512.New()
	a.Write(key)
	a.Write(salt)
	n := len(key)
	for ; n > 64; n -= 64 {
		a.Write(db[:])
	}
	a.Write(db[:n])
	for n = len(key); n > 0; n >>= 1 {
		if n&1 != 0 {
			a.Write(db[:])
		} else {
			a.Write(key)
		}
	}
	var da [64]byte
	a.Sum(da[:0])

	// Digest DP and byte sequence P.
	dp := sha512.New()
	for range len(key) {
		dp.Write(key)
	}
	var dpSum [64]byte
	dp.Sum(dpSum[:0])
	p := repeatTo(dpSum[:], len(key))

	// Digest DS and byte sequence S.
	ds := sha512.New()
	for range 16 + int(da[0]) {
		ds.Write(salt)
	}
	var dsSum [64]byte
	ds.Sum(dsSum[:0])
	s := repeatTo(dsSum[:], len(salt))

	// The rounds.
	c := da
	h := sha512.New()
	for r := range rounds {
		h.Reset()
		if r&1 != 0 {
			h.Write(p)
		} else {
			h.Write(c[:])
		}
		if r%3 != 0 {
			h.Write(s)
		}
		if r%7 != 0 {
			h.Write(p)
		}
		if r&1 != 0 {
			h.Write(c[:])
		} else {
			h.Write(p)
		}
		h.Sum(c[:0])
	}
	return c
}

func repeatTo(d []byte, n int) []byte {
	out := make([]byte, n)
	for i := 0; i < n; i += len(d) {
		copy(out[i:], d)
	}
	return out
}

// sha512Order is the byte permutation of step 22 of the specification, in
// triples (B2, B1, B0) each giving four characters.
var sha512Order = [21][3]byte{
	{0, 21, 42}, {22, 43, 1}, {44, 2, 23}, {3, 24, 45}, {25, 46, 4}, {47, 5, 26}, {6, 27, 48},
	{28, 49, 7}, {50, 8, 29}, {9, 30, 51}, {31, 52, 10}, {53, 11, 32}, {12, 33, 54}, {34, 55, 13},
	{56, 14, 35}, {15, 36, 57}, {37, 58, 16}, {59, 17, 38}, {18, 39, 60}, {40, 61, 19}, {62, 20, 41},
}

func appendEncoded(out []byte, c *[64]byte) []byte {
	put := func(w uint32, n int) {
		for range n {
			out = append(out, cryptAlphabet[w&0x3f])
			w >>= 6
		}
	}
	for _, t := range sha512Order {
		put(uint32(c[t[0]])<<16|uint32(c[t[1]])<<8|uint32(c[t[2]]), 4)
	}
	put(uint32(c[63]), 2)
	return out
}
