package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// The control socket speaks HAProxy's non-interactive runtime API: a client
// connects, writes one line (several commands may be separated by ';'),
// reads the answers, and the server closes the connection. Each answer ends
// with an empty line, as HAProxy's do.

// maxCommandLine bounds a runtime-API line.
const maxCommandLine = 64 << 10

// commandFunc answers one command given as words.
type commandFunc func(args []string) string

// controlServer serves the runtime API on a unix socket.
type controlServer struct {
	ln     net.Listener
	path   string
	handle commandFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// listenControl creates the socket at path with mode 0600, replacing a
// stale socket left by a crashed run but refusing to steal a live one.
func listenControl(path string, handle commandFunc) (*controlServer, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if c, err := net.DialTimeout("unix", path, 200*time.Millisecond); err == nil {
		c.Close()
		return nil, fmt.Errorf("control socket %s is in use by another running daemon", path)
	}
	ln, err := listenPrivate(path)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	s := &controlServer{ln: ln, path: path, handle: handle}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// listenPrivate binds the socket in a fresh 0700 folder beside path, sets
// it to 0600 and renames it into place, so that it is never connectable by
// another user, not even between bind and chmod, whatever the umask.
func listenPrivate(path string) (net.Listener, error) {
	tmp, err := os.MkdirTemp(filepath.Dir(path), ".admin-sock-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	bound := filepath.Join(tmp, "s")
	ln, err := net.Listen("unix", bound)
	if err != nil {
		return nil, err
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false) // Close removes path itself
	if err := os.Chmod(bound, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	os.Remove(path)
	if err := os.Rename(bound, path); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

func (s *controlServer) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond) // EMFILE and the like: back off, do not spin
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.session(c)
		}()
	}
}

func (s *controlServer) session(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReaderSize(c, 4096)
	line, err := readLine(br, maxCommandLine)
	if err != nil {
		if errors.Is(err, errLineTooLong) {
			io.WriteString(c, "command line too long\n\n")
		}
		return
	}
	var out strings.Builder
	for _, cmd := range strings.Split(line, ";") {
		words := strings.Fields(cmd)
		if len(words) == 0 {
			continue
		}
		ans := s.handle(words)
		out.WriteString(ans)
		if !strings.HasSuffix(ans, "\n") {
			out.WriteString("\n")
		}
		out.WriteString("\n")
	}
	io.WriteString(c, out.String())
}

var errLineTooLong = errors.New("line too long")

func readLine(br *bufio.Reader, max int) (string, error) {
	var b []byte
	for {
		chunk, err := br.ReadSlice('\n')
		b = append(b, chunk...)
		if len(b) > max {
			return "", errLineTooLong
		}
		if err == nil {
			return strings.TrimRight(string(b), "\r\n"), nil
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(b) > 0 {
			return strings.TrimRight(string(b), "\r\n"), nil
		}
		return "", err
	}
}

// Close stops accepting, waits for sessions in progress and removes the
// socket file. It is idempotent.
func (s *controlServer) Close() error {
	s.once.Do(func() {
		s.ln.Close()
		s.wg.Wait()
		os.Remove(s.path)
	})
	return nil
}

// ask sends one command line to the daemon and returns its answer.
func ask(ctx context.Context, socket, line string) (string, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", socket)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		return "", err
	}
	b, err := io.ReadAll(io.LimitReader(c, 64<<20))
	if err != nil {
		return "", err
	}
	return string(b), nil
}
