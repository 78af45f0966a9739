package sysctl

import (
	"os"
	"path/filepath"
	"testing"
)

// fakeProc builds a /proc/sys look-alike under a temporary folder: one file
// per key, holding the value as the kernel prints it.
func fakeProc(t *testing.T, files map[string]string) FS {
	t.Helper()
	fs := FS{Root: t.TempDir()}
	for k, v := range files {
		p := fs.Path(k)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return fs
}

// kernelDefaults is what a stock 6.x kernel shows for the recommended keys,
// printed as the kernel prints them (a tab in ip_local_port_range).
func kernelDefaults() map[string]string {
	return map[string]string{
		"net.ipv4.tcp_tw_reuse":        "2\n",
		"net.ipv4.ip_local_port_range": "32768\t60999\n",
		"net.ipv4.tcp_max_syn_backlog": "1024\n",
		"net.ipv4.tcp_max_tw_buckets":  "16384\n",
		"net.ipv4.tcp_max_orphans":     "16384\n",
		"net.ipv4.tcp_synack_retries":  "5\n",
		"net.core.somaxconn":           "4096\n",
		"net.ipv4.ip_nonlocal_bind":    "0\n",
	}
}
