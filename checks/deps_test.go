package checks

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoForbiddenImports keeps checks independent of the other product
// packages: cmd/haappliance wires them together.
func TestNoForbiddenImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-test", ".").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range []string{"haappliance/proxy", "haappliance/vrrp", "haappliance/sysctl", "haappliance/cmd"} {
			if dep == bad || strings.HasPrefix(dep, bad+"/") {
				t.Errorf("checks depends on %s", dep)
			}
		}
	}
}
