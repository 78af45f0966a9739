package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// syslogWriter sends RFC 3164 messages: "<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG".
// Over a local socket (/dev/log) the host is left out, as glibc's syslog()
// does. Go's log/syslog writes RFC 3339 timestamps over the network, which
// older receivers and HAProxy-style log parsers do not read, hence this.
type syslogWriter struct {
	network, addr string // "" and "" for /dev/log
	facility      int
	tag           string
	host          string
	now           func() time.Time

	mu   sync.Mutex
	conn net.Conn
}

var localSockets = []string{"/dev/log", "/var/run/syslog", "/var/run/log"}

func dialSyslog(network, addr string, facility int, tag string) (*syslogWriter, error) {
	host, _ := os.Hostname()
	if i := strings.IndexByte(host, '.'); i > 0 {
		host = host[:i]
	}
	w := &syslogWriter{network: network, addr: addr, facility: facility, tag: tag, host: host, now: time.Now}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.connect(); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *syslogWriter) local() bool { return w.network == "" || strings.HasPrefix(w.network, "unix") }

func (w *syslogWriter) connect() error {
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
	if w.network != "" {
		c, err := net.Dial(w.network, w.addr)
		if err != nil && w.network == "unixgram" {
			c, err = net.Dial("unix", w.addr)
		}
		if err != nil {
			return err
		}
		w.conn = c
		return nil
	}
	var errs []error
	for _, p := range localSockets {
		for _, n := range []string{"unixgram", "unix"} {
			c, err := net.Dial(n, p)
			if err == nil {
				w.conn = c
				return nil
			}
			errs = append(errs, err)
		}
	}
	return fmt.Errorf("no local syslog socket: %w", errors.Join(errs...))
}

// format renders one message.
func (w *syslogWriter) format(severity int, msg string) []byte {
	b := make([]byte, 0, len(msg)+64)
	b = append(b, '<')
	b = strconv.AppendInt(b, int64(w.facility*8+severity), 10)
	b = append(b, '>')
	b = w.now().AppendFormat(b, time.Stamp)
	b = append(b, ' ')
	if !w.local() {
		b = append(b, w.host...)
		b = append(b, ' ')
	}
	b = append(b, w.tag...)
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(os.Getpid()), 10)
	b = append(b, "]: "...)
	b = append(b, strings.TrimRight(msg, "\n")...)
	if w.network == "tcp" {
		b = append(b, '\n') // octet stream: newline framing
	}
	return b
}

// write sends one message, reconnecting once if the socket went away
// (rsyslog restarted, /dev/log recreated).
func (w *syslogWriter) write(severity int, msg string) error {
	b := w.format(severity, msg)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn != nil {
		if _, err := w.conn.Write(b); err == nil {
			return nil
		}
	}
	if err := w.connect(); err != nil {
		return err
	}
	_, err := w.conn.Write(b)
	return err
}

func (w *syslogWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn == nil {
		return nil
	}
	err := w.conn.Close()
	w.conn = nil
	return err
}
