package stats

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const chromiumPath = "/usr/bin/chromium"

// TestStatsPageInChromium renders the page with servers in every state in
// headless Chromium: the screenshot is kept outside the tree as a test
// artefact (its path is logged) and the DOM must hold every server with
// its state class.
func TestStatsPageInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("%s not installed (apt-get install chromium): the browser check of the stats page is skipped", chromiumPath)
	}
	if testing.Short() {
		t.Skip("starts a browser")
	}
	snap := testSnapshot()
	var page bytes.Buffer
	if err := WriteHTML(&page, &snap, HTMLOptions{URI: "/stats", Admin: true, Refresh: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	art, err := os.MkdirTemp("", "haappliance-stats-page-")
	if err != nil {
		t.Fatal(err)
	}
	html := filepath.Join(art, "stats.html")
	png := filepath.Join(art, "stats.png")
	if err := os.WriteFile(html, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir=" + t.TempDir(), "--window-size=1400,900"}
		cmd := exec.CommandContext(ctx, chromiumPath, append(base, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, stderr.Bytes())
		}
		return out
	}
	run("--screenshot="+png, "file://"+html)
	st, err := os.Stat(png)
	if err != nil || st.Size() < 10_000 {
		t.Fatalf("screenshot %s missing or trivial (%v, %d bytes)", png, err, st.Size())
	}
	t.Logf("stats page screenshot kept at %s (not committed)", png)

	dom := string(run("--dump-dom", "file://"+html))
	for i := range snap.Proxies {
		p := &snap.Proxies[i]
		if !strings.Contains(dom, `id="px-`+p.Name+`"`) {
			t.Errorf("DOM lacks the table of %s", p.Name)
		}
		for j := range p.Servers {
			s := &p.Servers[j]
			want := `<tr class="` + ServerClass(s) + `" data-name="` + s.Name + `">`
			if !strings.Contains(dom, want) {
				t.Errorf("DOM lacks %s", want)
			}
		}
	}
}
