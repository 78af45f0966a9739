package sysctl

import (
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCheckKey: a key CheckKey accepts maps to a path strictly inside the
// root, and Validate never panics.
func FuzzCheckKey(f *testing.F) {
	for _, s := range []string{
		"net.core.somaxconn", "net/ipv4/conf/eth0.100/rp_filter", "net.ipv4.conf.eth0/100.rp_filter",
		"../../etc/passwd", "net./..x", "net..core", ".", "a.b", "a/./b", "net.ipv4./.x", "",
	} {
		f.Add(s, "1")
	}
	f.Fuzz(func(t *testing.T, key, value string) {
		_ = Config{Set: map[string]string{key: value}}.Validate()
		_ = Plan(Config{Set: map[string]string{key: value}})
		if CheckKey(key) != nil {
			return
		}
		root := "/proc/sys"
		p := FS{Root: root}.Path(key)
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." || strings.HasPrefix(rel, "..") || filepath.Clean(p) != p {
			t.Errorf("key %q maps to %q, outside %s", key, p, root)
		}
	})
}

// FuzzResolveIDs: any /etc/passwd and /etc/group content gives ids or an
// error, never a panic, and ids are never negative.
func FuzzResolveIDs(f *testing.F) {
	f.Add([]byte(testPasswd), []byte(testGroup), "ha", "")
	f.Add([]byte("a:b:1:2\n::::\n:"), []byte("g:x:3\n"), "a", "g")
	f.Add([]byte("x:x:99999999999999999999:1\n"), []byte(""), "x", "7")
	f.Fuzz(func(t *testing.T, passwd, group []byte, user, grp string) {
		id, err := resolveIDs(passwd, group, user, grp)
		if err == nil && (id.uid < 0 || id.gid < 0) {
			t.Errorf("negative ids %+v", id)
		}
	})
}
