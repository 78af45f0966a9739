// Command tlsrate measures full TLS handshakes per second through a TLS
// terminating proxy: each of -c workers connects, completes a full
// handshake (no session cache, so no resumption), sends -req, reads the
// answer to EOF and closes, again and again, for -d or until -n handshakes
// in all. It prints "HANDSHAKES_PER_SECOND ERRORS VERSION CIPHER" (the
// TLS version and cipher suite of the last handshake). Certificates are not
// verified (the bench uses self-signed ones). Traffic goes only to -addr
// (loopback in make bench); the run is bounded in time and count.
//
//	tlsrate -addr 127.0.0.1:9443 -c 20 -d 3s
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "", "host:port to connect to")
	sni := flag.String("sni", "bench.example", "server name sent in the ClientHello")
	conc := flag.Int("c", 20, "concurrent workers")
	dur := flag.Duration("d", 3*time.Second, "duration of the run")
	limit := flag.Int64("n", 10_000_000, "stop after this many handshakes")
	req := flag.String("req", "GET / HTTP/1.0\r\nHost: bench.example\r\n\r\n", "bytes to send on each connection (empty: none, close after the handshake)")
	tls13 := flag.Bool("tls13", false, "offer TLS 1.3 only (default: TLS 1.2 and 1.3, the server chooses)")
	flag.Parse()
	if *addr == "" || *conc < 1 || *dur <= 0 {
		fmt.Fprintln(os.Stderr, "usage: tlsrate -addr HOST:PORT [-c N] [-d DURATION] [-n MAX] [-sni NAME] [-req BYTES] [-tls13]")
		os.Exit(2)
	}
	cfg := &tls.Config{
		ServerName:             *sni,
		InsecureSkipVerify:     true,
		SessionTicketsDisabled: true, // every connection is a full handshake
		ClientSessionCache:     nil,
		MinVersion:             tls.VersionTLS12,
		NextProtos:             []string{"http/1.1"},
		// X25519 only: Go would also offer X25519MLKEM768, which OpenSSL 3.0
		// (haproxy 2.6 on Debian 12) lacks; the same key exchange on both.
		CurvePreferences: []tls.CurveID{tls.X25519},
	}
	if *tls13 {
		cfg.MinVersion = tls.VersionTLS13
	}
	var done, errs atomic.Int64
	var last atomic.Value // tls.ConnectionState summary
	stop := time.Now().Add(*dur)
	var wg sync.WaitGroup
	start := time.Now()
	for range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 4096)
			for time.Now().Before(stop) && done.Load() < *limit {
				st, err := once(*addr, *req, cfg, buf)
				if err != nil {
					errs.Add(1)
					continue
				}
				if done.Add(1)%1000 == 1 {
					last.Store(st)
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	st, _ := last.Load().(string)
	if st == "" {
		st = "- -"
	}
	fmt.Printf("%.0f %d %s\n", float64(done.Load())/el, errs.Load(), st)
}

// once runs one connection; every step is bounded by a 5s deadline. It
// returns "VERSION CIPHER" of the handshake.
func once(addr, req string, cfg *tls.Config, buf []byte) (string, error) {
	d := &net.Dialer{Timeout: 5 * time.Second}
	raw, err := d.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer raw.Close()
	_ = raw.SetDeadline(time.Now().Add(5 * time.Second))
	c := tls.Client(raw, cfg)
	if err := c.Handshake(); err != nil {
		return "", err
	}
	cs := c.ConnectionState()
	if cs.DidResume {
		return "", fmt.Errorf("session resumed")
	}
	st := tls.VersionName(cs.Version) + " " + tls.CipherSuiteName(cs.CipherSuite)
	if req == "" {
		return st, nil
	}
	if _, err := io.WriteString(c, req); err != nil {
		return "", err
	}
	got := 0
	for {
		n, err := c.Read(buf)
		got += n
		if err == io.EOF || (err == io.ErrUnexpectedEOF && got > 0) { // closed with or without close_notify
			if got == 0 {
				return "", io.ErrUnexpectedEOF
			}
			return st, nil
		}
		if err != nil {
			return "", err
		}
	}
}
