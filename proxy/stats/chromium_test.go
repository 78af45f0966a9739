package stats

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"haappliance/internal/chromiumtest"
)

// TestStatsPageInChromium renders the page with servers in every state in
// headless Chromium: the screenshot is kept outside the tree as a test
// artefact (its path is logged) and the DOM must hold every server with
// its state class.
func TestStatsPageInChromium(t *testing.T) {
	chromiumtest.Need(t)
	snap := testSnapshot()
	var page bytes.Buffer
	if err := WriteHTML(&page, &snap, HTMLOptions{URI: "/stats", Admin: true, Refresh: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	dom := chromiumtest.Render(t, "haappliance-stats-page-", page.Bytes())
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
