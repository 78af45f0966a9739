// Package chromiumtest renders an HTML page in Debian's headless Chromium
// for tests: a screenshot kept outside the tree as an artefact, and the
// DOM after the page's scripts ran.
package chromiumtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Path is Debian's chromium binary.
const Path = "/usr/bin/chromium"

// Need skips t when Chromium is not installed or in -short mode.
func Need(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(Path); err != nil {
		t.Skipf("%s not installed (apt-get install chromium): the browser check is skipped", Path)
	}
	if testing.Short() {
		t.Skip("starts a browser")
	}
}

// Render writes page to a new folder named after prefix under the system's
// temporary folder, takes a 1400×900 screenshot of it (which must not be
// trivial: 10 kB or more), logs where it is kept, and returns the rendered
// DOM.
func Render(t testing.TB, prefix string, page []byte) (dom string) {
	t.Helper()
	art, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	html, png := filepath.Join(art, "stats.html"), filepath.Join(art, "stats.png")
	if err := os.WriteFile(html, page, 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir=" + t.TempDir(), "--window-size=1400,900"}
		cmd := exec.CommandContext(ctx, Path, append(base, args...)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
		}
		return out
	}
	run("--screenshot="+png, "file://"+html)
	if st, err := os.Stat(png); err != nil || st.Size() < 10_000 {
		t.Fatalf("screenshot %s missing or trivial: %v", png, err)
	}
	t.Logf("screenshot kept at %s (not committed)", png)
	return string(run("--dump-dom", "file://"+html))
}
