package proxy

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// tlsFrontend terminates TLS on a frontend's connections: certificates
// chosen by SNI (exact name, then wildcard, then the first certificate
// loaded, as haproxy's default), ALPN and a minimum version.
type tlsFrontend struct {
	cfg      *tls.Config
	certs    []*tls.Certificate
	exact    map[string]*tls.Certificate // lower-case DNS name
	wildcard map[string]*tls.Certificate // "example.com" for "*.example.com"
}

// DefaultALPN is what a TLS frontend offers when alpn is not set.
var DefaultALPN = []string{"h2", "http/1.1"}

// TLSVersion maps min_version to crypto/tls; "" is TLS 1.2.
func TLSVersion(s string) (uint16, error) {
	switch s {
	case "", "1.2", "TLSv1.2":
		return tls.VersionTLS12, nil
	case "1.3", "TLSv1.3":
		return tls.VersionTLS13, nil
	}
	return 0, fmt.Errorf("unsupported min_version '%s' (expected \"1.2\" or \"1.3\")", s)
}

func newTLSFrontend(c *TLSConfig) (*tlsFrontend, error) {
	min, err := TLSVersion(c.MinVersion)
	if err != nil {
		return nil, err
	}
	alpn := c.ALPN
	if alpn == nil {
		alpn = DefaultALPN
	}
	for _, a := range alpn {
		if a != "h2" && a != "http/1.1" {
			return nil, fmt.Errorf("unsupported ALPN protocol '%s' (expected \"h2\" or \"http/1.1\")", a)
		}
	}
	certs, err := LoadCertificates(c.Certificates)
	if err != nil {
		return nil, err
	}
	t := &tlsFrontend{certs: certs, exact: map[string]*tls.Certificate{}, wildcard: map[string]*tls.Certificate{}}
	for _, ct := range certs {
		for _, n := range certNames(ct.Leaf) {
			n = strings.ToLower(n)
			if rest, ok := strings.CutPrefix(n, "*."); ok {
				if _, dup := t.wildcard[rest]; !dup {
					t.wildcard[rest] = ct
				}
			} else if _, dup := t.exact[n]; !dup {
				t.exact[n] = ct
			}
		}
	}
	t.cfg = &tls.Config{
		MinVersion:     min,
		NextProtos:     append([]string(nil), alpn...),
		GetCertificate: t.certificate,
	}
	return t, nil
}

// certNames are the names a certificate answers for: its DNS SANs, else
// its common name (as haproxy).
func certNames(leaf *x509.Certificate) []string {
	if leaf == nil {
		return nil
	}
	if len(leaf.DNSNames) > 0 {
		return leaf.DNSNames
	}
	if leaf.Subject.CommonName != "" {
		return []string{leaf.Subject.CommonName}
	}
	return nil
}

// certificate is the GetCertificate callback: SNI exact match, then the
// wildcard of the parent domain, then the default certificate.
func (t *tlsFrontend) certificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := strings.TrimSuffix(hello.ServerName, ".")
	if name != "" {
		name = strings.ToLower(name)
		if c := t.exact[name]; c != nil {
			return c, nil
		}
		if i := strings.IndexByte(name, '.'); i > 0 {
			if c := t.wildcard[name[i+1:]]; c != nil {
				return c, nil
			}
		}
	}
	return t.certs[0], nil
}

// LoadCertificates loads PEM files, or every file of a folder in name
// order (skipping haproxy's companion files *.key, *.ocsp, *.issuer,
// *.sctl and dot files). Each file holds a certificate, its chain and its
// private key, or the key is in FILE.key, as haproxy's crt.
func LoadCertificates(paths []string) ([]*tls.Certificate, error) {
	if len(paths) == 0 {
		return nil, errors.New("no certificates")
	}
	var out []*tls.Certificate
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		files := []string{p}
		if st.IsDir() {
			ents, err := os.ReadDir(p)
			if err != nil {
				return nil, err
			}
			files = files[:0]
			for _, e := range ents {
				n := e.Name()
				if e.IsDir() || strings.HasPrefix(n, ".") {
					continue
				}
				switch filepath.Ext(n) {
				case ".key", ".ocsp", ".issuer", ".sctl":
					continue
				}
				files = append(files, filepath.Join(p, n))
			}
			sort.Strings(files)
			if len(files) == 0 {
				return nil, fmt.Errorf("%s: no certificate file in folder", p)
			}
		}
		for _, f := range files {
			c, err := loadPEM(f)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

func loadPEM(file string) (*tls.Certificate, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var certPEM, keyPEM []byte
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch {
		case b.Type == "CERTIFICATE":
			certPEM = append(certPEM, pem.EncodeToMemory(b)...)
		case strings.HasSuffix(b.Type, "PRIVATE KEY"):
			if keyPEM == nil {
				keyPEM = pem.EncodeToMemory(b)
			}
		}
	}
	if certPEM == nil {
		return nil, fmt.Errorf("%s: no PEM certificate", file)
	}
	if keyPEM == nil {
		k, err := os.ReadFile(file + ".key")
		if err != nil {
			return nil, fmt.Errorf("%s: no private key in the file nor in %s.key", file, filepath.Base(file))
		}
		keyPEM = k
	}
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if c.Leaf == nil {
		if c.Leaf, err = x509.ParseCertificate(c.Certificate[0]); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
	}
	return &c, nil
}

// handshakeTLS runs the server handshake within timeout http-request; nil
// when it failed (the connection is then closed).
func (p *Proxy) handshakeTLS(c net.Conn, f *frontend) *tls.Conn {
	tc := tls.Server(c, f.tls.cfg)
	_ = c.SetDeadline(deadline(f.t.HTTPRequestTimeout()))
	if err := tc.Handshake(); err != nil {
		p.log.WithError(err).Debugf("frontend '%s': TLS handshake failed", f.name)
		_ = c.Close()
		return nil
	}
	_ = c.SetDeadline(time.Time{})
	return tc
}

// Session ticket keys are shared by every TLS frontend and kept across
// reloads, so resumption survives a SIGHUP; a new key is added every
// TicketRotation and the oldest of TicketKeys dropped (a ticket stays
// usable for up to TicketKeys rotations).
const (
	TicketRotation = time.Hour
	TicketKeys     = 3
)

type ticketKeys struct {
	mu   sync.Mutex
	keys [][32]byte // newest first
	rand io.Reader  // nil: crypto/rand
}

// rotate adds a new key in front and returns the current list.
func (k *ticketKeys) rotate() ([][32]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.rotateLocked()
}

func (k *ticketKeys) rotateLocked() ([][32]byte, error) {
	r := k.rand
	if r == nil {
		r = rand.Reader
	}
	var nk [32]byte
	if _, err := io.ReadFull(r, nk[:]); err != nil {
		return nil, err
	}
	keys := append([][32]byte{nk}, k.keys...)
	if len(keys) > TicketKeys {
		keys = keys[:TicketKeys]
	}
	k.keys = keys
	return keys, nil
}

// current returns the keys, creating the first one.
func (k *ticketKeys) current() ([][32]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.keys) == 0 {
		return k.rotateLocked()
	}
	return k.keys, nil
}

// install gives the keys to every TLS frontend of a generation.
func installTicketKeys(rt *runtime, keys [][32]byte) {
	for _, f := range rt.frontends {
		if f.tls != nil {
			f.tls.cfg.SetSessionTicketKeys(keys)
		}
	}
}

// initTickets installs the current keys in a new generation.
func (p *Proxy) initTickets(rt *runtime) error {
	keys, err := p.tickets.current()
	if err != nil {
		return err
	}
	installTicketKeys(rt, keys)
	return nil
}

// rotateTickets rotates the session ticket keys until Shutdown.
func (p *Proxy) rotateTickets() {
	defer p.loops.Done()
	t := time.NewTicker(TicketRotation)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-t.C:
		}
		keys, err := p.tickets.rotate()
		if err != nil {
			p.log.WithError(err).Warn("session ticket key rotation failed")
			continue
		}
		installTicketKeys(p.rt.Load(), keys)
	}
}
