package userlist

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Vectors from glibc crypt(3) (python3 crypt.crypt on Debian) and from the
// SHA-crypt specification's own test table.
var cryptVectors = []struct{ password, setting, want string }{
	{"pw", "$6$saltsalt", "$6$saltsalt$pauPrmdmG4BTE9h2HPmywiw152IFch6BJCEsaY6D.PLTfpV8sqvXwWdyfsgVgozkYH9B80bAip/08R2BPH2xk/"},
	{"Hello world!", "$6$saltstring", "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"},
	{"Hello world!", "$6$rounds=10000$saltstringsaltstring", "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v."},
	{"", "$6$x", "$6$x$QSmr1Bx2g4O6BzKvdkgOcyU6H91X6I/XBv5pSalMhSPkwdH6Beo3F455xZJg0v//bxVK5F4OE5k1.0xuR26MK0"},
	{strings.Repeat("a", 100), "$6$rounds=1000$abc", "$6$rounds=1000$abc$u/qZCQeglXjb2Y5C4mKODP.oHRwEgVIcWQw4hhlvuQ1g4WEgyf.NHR0QUzKdXdc.JLEtomhyE3bOB68r1VhDZ0"},
	{"secret", "$6$rounds=1200$0123456789abcdefXYZ", "$6$rounds=1200$0123456789abcdef$aVryvHESuUY0A8USVhBfVD2MFtMUXgxUPLcGx6TnsTkgj/wREf4Aw2sza.M.QXSsBEfS9m3SX6yYCBEb40KYH/"},
	// Specification table: rounds below the minimum are raised to 1000.
	{"the minimum number is still observed", "$6$rounds=10$roundstoolow", "$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX."},
}

func TestCrypt(t *testing.T) {
	for _, v := range cryptVectors {
		got, err := Crypt(v.password, v.setting)
		if err != nil {
			t.Fatalf("Crypt(%q, %q): %v", v.password, v.setting, err)
		}
		if diff := cmp.Diff(v.want, got); diff != "" {
			t.Errorf("Crypt(%q, %q) (-want +got):\n%s", v.password, v.setting, diff)
		}
	}
}

func basic(up string) []byte {
	return []byte("Basic " + base64.StdEncoding.EncodeToString([]byte(up)))
}

func TestAuthenticate(t *testing.T) {
	l, err := New("ops", []User{
		{Name: "alice", Password: "wonder"},
		{Name: "bob", Password: cryptVectors[0].want, Groups: []string{"admin"}},
		{Name: "carol", Password: cryptVectors[1].want},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cred []byte
		user int
		ok   bool
	}{
		{"plain ok", basic("alice:wonder"), 0, true},
		{"plain wrong", basic("alice:wonderx"), 0, false},
		{"hashed ok", basic("bob:pw"), 1, true},
		{"hashed ok again (cache)", basic("bob:pw"), 1, true},
		{"hashed wrong", basic("bob:pwx"), 1, false},
		{"hashed with space in password", basic("carol:Hello world!"), 2, true},
		{"unknown user", basic("dave:pw"), -1, false},
		{"scheme case", []byte("bAsIc " + base64.StdEncoding.EncodeToString([]byte("alice:wonder"))), 0, true},
		{"blanks", []byte("  Basic   " + base64.StdEncoding.EncodeToString([]byte("alice:wonder")) + " "), 0, true},
		{"no colon", basic("alice"), -1, false},
		{"bad base64", []byte("Basic !!!"), -1, false},
		{"bearer", []byte("Bearer abc"), -1, false},
		{"empty", nil, -1, false},
		{"too long", basic("alice:" + strings.Repeat("x", 2000)), -1, false},
	}
	for _, tc := range tests {
		i, ok := l.User(tc.cred)
		if diff := cmp.Diff([2]any{tc.user, tc.ok}, [2]any{i, ok}); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
		if l.Authenticate(tc.cred) != tc.ok {
			t.Errorf("%s: Authenticate disagrees", tc.name)
		}
	}
	if !l.InGroup(1, "admin") || l.InGroup(0, "admin") || l.UserName(1) != "bob" {
		t.Error("groups or names wrong")
	}
}

func TestCheckUsers(t *testing.T) {
	got := Check([]User{
		{Name: "a", Password: "x"},
		{Name: "", Password: "x"},
		{Name: "a", Password: "y"},
		{Name: "b", Password: "$1$md5$whatever"},
		{Name: "c", Password: "$6$saltonly"},
		{Name: "d", Password: "$6$salt$short"},
		{Name: "e:f", Password: "x"},
	})
	want := map[int]string{
		1: "user without a name",
		2: "duplicate user 'a'",
		3: "user 'b': " + ErrUnsupportedHash.Error(),
		4: "user 'c': SHA-512 crypt setting without a hash",
		5: "user 'd': invalid SHA-512 crypt hash length",
		6: "user name 'e:f' must not contain ':' or line breaks",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Check (-want +got):\n%s", diff)
	}
	if _, err := New("x", []User{{Name: ""}}); err == nil {
		t.Error("New accepted a bad user")
	}
}

func TestCheckPairs(t *testing.T) {
	pairs := []string{"admin:admin", "ro:pass:with:colons"}
	tests := []struct {
		cred []byte
		want bool
	}{
		{basic("admin:admin"), true},
		{basic("ro:pass:with:colons"), true},
		{basic("admin:admin2"), false},
		{basic("admi:nadmin"), false},
		{[]byte("Digest x"), false},
	}
	for _, tc := range tests {
		if got := CheckPairs(tc.cred, pairs); got != tc.want {
			t.Errorf("CheckPairs(%q) = %v, want %v", tc.cred, got, tc.want)
		}
	}
}

func FuzzParseBasic(f *testing.F) {
	for _, s := range []string{"Basic YTpi", "basic  YTpi ", "Basic", "Basic !", "Bearer x", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		var buf [maxCredentials]byte
		u, p, ok := ParseBasic(v, buf[:])
		if ok && len(u)+len(p)+1 > maxCredentials {
			t.Fatal("overlong result")
		}
	})
}

func FuzzCryptSetting(f *testing.F) {
	for _, v := range cryptVectors {
		f.Add(v.setting)
	}
	f.Add("$6$rounds=$x")
	f.Add("$5$abc")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseSHA512(s)
		if err == nil && (h.rounds < minRounds || h.rounds > maxRounds || len(h.salt) > maxSaltLen) {
			t.Fatalf("bad parse %+v", h)
		}
	})
}

func BenchmarkAuthenticateCached(b *testing.B) {
	l, _ := New("b", []User{{Name: "bob", Password: cryptVectors[0].want}})
	cred := basic("bob:pw")
	l.Authenticate(cred)
	b.ReportAllocs()
	for b.Loop() {
		if !l.Authenticate(cred) {
			b.Fatal("refused")
		}
	}
}
