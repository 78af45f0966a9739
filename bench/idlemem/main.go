// Command idlemem holds idle keep-alive client connections open through a
// proxy so that make bench can read what they cost in the proxy's memory.
// It opens -n connections (-c at a time), sends one keep-alive request on
// each and reads the whole answer, then writes "OPEN ERRORS" to -ready (or
// stdout) and keeps every connection open, sending nothing, until -hold
// passes or its standard input ends. Traffic goes only to -addr (loopback
// in make bench); the run is bounded in count (-n) and time (-hold, and a
// 5 s deadline on every step).
//
//	idlemem -addr 127.0.0.1:9001 -n 9000 -hold 60s -ready /tmp/x/ready
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "", "host:port of the proxy")
	n := flag.Int("n", 9000, "connections to hold")
	conc := flag.Int("c", 100, "connections opened at a time")
	hold := flag.Duration("hold", 60*time.Second, "longest time to hold the connections")
	ready := flag.String("ready", "", "file to write \"OPEN ERRORS\" to once every connection is idle (default: stdout)")
	req := flag.String("req", "GET / HTTP/1.1\r\nHost: bench\r\n\r\n", "the request sent on each connection")
	flag.Parse()
	if *addr == "" || *n < 1 || *n > 100000 || *conc < 1 || *hold <= 0 {
		fmt.Fprintln(os.Stderr, "usage: idlemem -addr HOST:PORT [-n N<=100000] [-c N] [-hold DURATION] [-ready FILE]")
		os.Exit(2)
	}
	conns := make([]net.Conn, *n)
	var errs atomic.Int64
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(conns) {
					return
				}
				c, err := open(*addr, *req)
				if err != nil {
					errs.Add(1)
					continue
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	open := 0
	for _, c := range conns {
		if c != nil {
			open++
		}
	}
	line := fmt.Sprintf("%d %d\n", open, errs.Load())
	if *ready == "" {
		fmt.Print(line)
	} else if err := os.WriteFile(*ready, []byte(line), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "idlemem:", err)
		os.Exit(1)
	}
	stdinDone := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stdinDone)
	}()
	select {
	case <-time.After(*hold):
	case <-stdinDone:
	}
	for _, c := range conns {
		if c != nil {
			_ = c.Close()
		}
	}
}

// open connects, sends req and reads one complete response with a
// Content-Length body, leaving the connection idle.
func open(addr, req string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		_ = c.Close()
		return nil, err
	}
	if err := readResponse(bufio.NewReaderSize(c, 1024)); err != nil {
		_ = c.Close()
		return nil, err
	}
	_ = c.SetDeadline(time.Time{})
	return c, nil
}

// readResponse reads a response head and its Content-Length body.
func readResponse(br *bufio.Reader) error {
	status, err := br.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(status, []byte("HTTP/1.1 200")) {
		return fmt.Errorf("unexpected status line %q", status)
	}
	cl := -1
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if ok && bytes.EqualFold(bytes.TrimSpace(name), []byte("content-length")) {
			cl, err = strconv.Atoi(string(bytes.TrimSpace(value)))
			if err != nil {
				return err
			}
		}
	}
	if cl < 0 {
		return errors.New("response without content-length")
	}
	_, err = br.Discard(cl)
	return err
}
