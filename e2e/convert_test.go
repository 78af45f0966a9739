package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"

	"haappliance/convert"
	"haappliance/proxy"
	"haappliance/sysctl"
)

// convertSeed converts the rendered seed haproxy.cfg the way an operator
// would, pointing the control socket into the test's folder and leaving
// the host's sysctls alone.
func convertSeed(t *testing.T, env seedEnv) []byte {
	t.Helper()
	src := render(t, "seed.cfg.tmpl", env)
	o := convert.Options{NoSysctl: true, ControlSocket: filepath.Join(env.Dir, "admin.sock")}
	out, report, err := o.Convert("seed.cfg", src, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range report {
		if l.Action != convert.Mapped {
			t.Logf("convert: %v", l)
		}
	}
	return out
}

// convertedStarter runs haappliance with the converted seed haproxy.cfg.
func convertedStarter(t *testing.T, env seedEnv) string {
	cfg := filepath.Join(env.Dir, "converted.toml")
	if err := os.WriteFile(cfg, convertSeed(t, env), 0o600); err != nil {
		t.Fatal(err)
	}
	startProcess(t, applianceBinary(t), "run", "-c", cfg, "--no-sysctl")
	addr := fmt.Sprintf("127.0.0.1:%d", env.Port)
	waitPort(t, addr, 5*time.Second)
	return addr
}

// seedFile is the part of the configuration file the seed uses.
type seedFile struct {
	Global struct {
		MaxConn       int    `toml:"maxconn"`
		ControlSocket string `toml:"control_socket"`
		Log           []struct {
			Address, Facility, Level string
		} `toml:"log"`
	} `toml:"global"`
	Sysctl sysctl.Config `toml:"sysctl"`
	proxy.Config
}

// TestConvertedSeedMatchesHandWritten: the converted seed haproxy.cfg
// decodes to the same configuration as the hand-written seed TOML the
// differential test runs. It needs neither haproxy nor the engine.
func TestConvertedSeedMatchesHandWritten(t *testing.T) {
	env := seedEnv{Port: 9001, Web: []int{1, 2, 3, 4, 5, 6, 7}, Dir: t.TempDir(), HTTPRequestTimeout: "1000ms", ServerTimeout: "500ms"}
	var want, got seedFile
	if _, err := toml.Decode(string(render(t, "seed.toml.tmpl", env)), &want); err != nil {
		t.Fatal(err)
	}
	out := convertSeed(t, env)
	md, err := toml.Decode(string(out), &got)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Errorf("converted file has keys the seed does not use: %v", u)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("converted seed differs from seed.toml.tmpl (-hand-written +converted):\n%s\nconverted:\n%s", d, out)
	}
}

// TestDifferentialConverted: a converted haproxy.cfg, run by haappliance,
// answers the seed sequence exactly as haproxy does with the original.
func TestDifferentialConverted(t *testing.T) {
	needHaproxy(t)
	compareSeed(t, observe(t, haproxyStarter), observe(t, convertedStarter))
}
