package deploy

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// runInstall stages an install under dest with a stand-in binary.
func runInstall(t *testing.T, dest string, env ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "haappliance")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho fake\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "install.sh")
	cmd.Env = append(os.Environ(), append([]string{"DESTDIR=" + dest, "BIN=" + bin, "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, env...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("install.sh: %v\n%s", err, out)
	}
	return string(out)
}

func tree(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, _ := d.Info()
		rel, _ := filepath.Rel(root, p)
		files = append(files, "/"+rel+" "+fi.Mode().Perm().String())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

func TestInstallDestdir(t *testing.T) {
	dest := t.TempDir()
	out := runInstall(t, dest, "PREFIX=/opt/ha", "ROLE=backup")
	if !strings.Contains(out, "DESTDIR set: not creating user ha") {
		t.Errorf("output:\n%s", out)
	}
	want := []string{
		"/etc/default/haappliance -rw-r--r--",
		"/etc/haappliance/backup.toml.example -rw-r-----",
		"/etc/haappliance/haappliance.toml -rw-r-----",
		"/etc/haappliance/master.toml.example -rw-r-----",
		"/etc/logrotate.d/haappliance -rw-r--r--",
		"/etc/rsyslog.d/49-haappliance.conf -rw-r--r--",
		"/etc/systemd/system/haappliance.service -rw-r--r--",
		"/opt/ha/sbin/haappliance -rwxr-xr-x",
		"/opt/ha/share/doc/haappliance/examples/60-haappliance.conf -rw-r--r--",
		"/opt/ha/share/doc/haappliance/examples/backup.toml -rw-r--r--",
		"/opt/ha/share/doc/haappliance/examples/haappliance.default -rw-r--r--",
		"/opt/ha/share/doc/haappliance/examples/logrotate-haappliance -rw-r--r--",
		"/opt/ha/share/doc/haappliance/examples/master.toml -rw-r--r--",
		"/opt/ha/share/doc/haappliance/examples/rsyslog-haappliance.conf -rw-r--r--",
		"/opt/ha/share/doc/haappliance/install.md -rw-r--r--",
	}
	got := tree(t, dest)
	// Other engineers' docs (alerts.md, configuration.md) come along when present.
	var filtered []string
	for _, f := range got {
		if !strings.Contains(f, "/doc/haappliance/alerts.md") && !strings.Contains(f, "/doc/haappliance/configuration.md") {
			filtered = append(filtered, f)
		}
	}
	if d := cmp.Diff(want, filtered); d != "" {
		t.Errorf("installed tree (-want +got):\n%s", d)
	}
	if got, want := read(t, filepath.Join(dest, "etc/haappliance/haappliance.toml")), read(t, "backup.toml"); got != want {
		t.Error("ROLE=backup did not install backup.toml as haappliance.toml")
	}
	unit := read(t, filepath.Join(dest, "etc/systemd/system/haappliance.service"))
	if !strings.Contains(unit, "ExecStart=/opt/ha/sbin/haappliance run") || strings.Contains(unit, "/usr/local") {
		t.Errorf("unit not adapted to PREFIX=/opt/ha:\n%s", unit)
	}

	// A second run keeps the operator's configuration.
	conf := filepath.Join(dest, "etc/haappliance/haappliance.toml")
	if err := os.WriteFile(conf, []byte("# edited\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	out = runInstall(t, dest, "PREFIX=/opt/ha")
	if read(t, conf) != "# edited\n" {
		t.Error("second install overwrote haappliance.toml")
	}
	if !strings.Contains(out, "kept "+conf) {
		t.Errorf("second install did not say it kept %s:\n%s", conf, out)
	}
}

func TestInstallRefusesBadInput(t *testing.T) {
	for _, tt := range []struct {
		env  []string
		want string
	}{
		{[]string{"ROLE=primary"}, "ROLE must be master or backup"},
		{[]string{"BIN=/nonexistent/haappliance"}, "no binary at /nonexistent/haappliance"},
	} {
		cmd := exec.Command("sh", "install.sh")
		cmd.Env = append(os.Environ(), append([]string{"DESTDIR=" + t.TempDir()}, tt.env...)...)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tt.want) {
			t.Errorf("install.sh %v: %v\n%s", tt.env, err, out)
		}
	}
}
