package proxy

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"haappliance/proxy/proxytest"
)

// decodeConfig decodes TOML text into a Config, failing on unknown keys.
func decodeConfig(t testing.TB, text string) *Config {
	t.Helper()
	var c Config
	md, err := toml.Decode(text, &c)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Fatalf("unknown keys: %v", u)
	}
	return &c
}

// startProxy builds and starts a proxy from TOML text with {{NAME}}
// placeholders replaced by repl, and returns it with the first address of
// frontend fe.
func startProxy(t testing.TB, text string, fe string, repl map[string]string, opts ...Options) (*Proxy, string) {
	t.Helper()
	for k, v := range repl {
		text = strings.ReplaceAll(text, "{{"+k+"}}", v)
	}
	cfg := decodeConfig(t, text)
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	p, err := New(cfg, o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := p.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := p.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	addrs := p.Addr(fe)
	if len(addrs) == 0 {
		t.Fatalf("frontend %s has no address", fe)
	}
	return p, addrs[0].String()
}

// seedConfig is SPEC §4's seed scenario on loopback.
const seedConfig = `
[defaults]
mode = "http"
log = "global"
option = ["http-keep-alive", "forwardfor", "httplog"]
timeout = { connect = "5000ms", client = "10000ms", server = "50000ms", http_request = "20000ms" }
httpchk = { method = "GET", uri = "/healthCheck.html" }

[frontend.http-in]
bind = ["127.0.0.1:0"]
maxconn = 30000
acl = ["url_ms1 path_beg -i /ms1/", "url_ms2 path_beg -i /ms2/"]
use_backend = ["ms1 if url_ms1", "ms2 if url_ms2"]
default_backend = "default_servers"

[backend.ms1]
balance = "roundrobin"
cookie = { name = "HA_STICKY_ms1", mode = "insert", indirect = true, nocache = true }
server = [
  { name = "ms1.srv1", address = "{{ms1.srv1}}", cookie = "ms1.srv1", maxconn = 300, check = true, inter = "2000ms", rise = 2, fall = 3 },
  { name = "ms1.srv2", address = "{{ms1.srv2}}", cookie = "ms1.srv2", maxconn = 300, check = true },
]

[backend.ms2]
balance = "roundrobin"
cookie = { name = "HA_STICKY_ms2", mode = "insert", indirect = true, nocache = true }
server = [
  { name = "ms2.srv1", address = "{{ms2.srv1}}", cookie = "ms2.srv1", maxconn = 300, check = true },
  { name = "ms2.srv2", address = "{{ms2.srv2}}", cookie = "ms2.srv2", maxconn = 300, check = true },
]

[backend.default_servers]
balance = "roundrobin"
cookie = { name = "HA_STICKY_def", mode = "insert", indirect = true, nocache = true }
server = [
  { name = "def.srv1", address = "{{def.srv1}}", cookie = "def.srv1", maxconn = 300, check = true },
  { name = "def.srv2", address = "{{def.srv2}}", cookie = "def.srv2", maxconn = 300, check = true },
]

[listen.stats]
bind = ["127.0.0.1:0"]
mode = "http"
stats = { uri = "/stats", refresh = "30s", realm = "HAProxy Stats", auth = ["admin:admin"] }
`

// seed starts the six seed web servers and the seed proxy.
func seed(t testing.TB, opts ...Options) (*Proxy, string, map[string]*proxytest.Backend) {
	t.Helper()
	bs := map[string]*proxytest.Backend{}
	repl := map[string]string{}
	for _, n := range []string{"ms1.srv1", "ms1.srv2", "ms2.srv1", "ms2.srv2", "def.srv1", "def.srv2"} {
		bs[n] = proxytest.NewBackend(t, n)
		repl[n] = bs[n].Addr()
	}
	p, addr := startProxy(t, seedConfig, "http-in", repl, opts...)
	return p, addr, bs
}
