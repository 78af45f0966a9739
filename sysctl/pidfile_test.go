package sysctl

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPidfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run", "haappliance", "haappliance.pid")
	if err := WritePidfile(path, 4242); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "4242\n" {
		t.Fatalf("pidfile holds %q, %v", b, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	if pid, err := ReadPidfile(path); pid != 4242 || err != nil {
		t.Errorf("ReadPidfile = %d, %v", pid, err)
	}

	// Overwritten by a newer daemon: the old one must not remove it.
	if err := WritePidfile(path, 5000); err != nil {
		t.Fatal(err)
	}
	if err := RemovePidfile(path, 4242); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("someone else's pidfile was removed: %v", err)
	}
	if err := RemovePidfile(path, 5000); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("pidfile still there: %v", err)
	}
	if err := RemovePidfile(path, 5000); err != nil {
		t.Errorf("removing a missing pidfile: %v", err)
	}
	// No temporary files left behind.
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
	if err := WritePidfile("", 1); err != nil {
		t.Errorf("empty path: %v", err)
	}
}

func TestReadPidfileGarbage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.pid")
	for _, s := range []string{"", "abc\n", "-3\n", "0"} {
		os.WriteFile(path, []byte(s), 0o644)
		if _, err := ReadPidfile(path); err == nil {
			t.Errorf("ReadPidfile(%q) accepted", s)
		}
	}
}
