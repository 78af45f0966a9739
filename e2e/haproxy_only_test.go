package e2e

import (
	"os"
	"strings"
	"testing"
)

// TestHaproxyTranscript prints haproxy's transcript (go test -run
// TestHaproxyTranscript -v) so a difference can be read in full.
func TestHaproxyTranscript(t *testing.T) {
	if os.Getenv("E2E_TRANSCRIPT") == "" {
		t.Skip("set E2E_TRANSCRIPT=1 to print haproxy's transcript of the seed sequence")
	}
	needHaproxy(t)
	for i, o := range observe(t, haproxyStarter) {
		t.Logf("== %s\n%s", seedSteps()[i].name, strings.TrimSpace(o))
	}
}
