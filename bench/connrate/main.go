// Command connrate measures new TCP connections per second through a
// proxy: each of -c workers connects, sends -req, reads the answer to EOF
// and closes, again and again, for -d or until -n connections in all. It
// prints "CONNS_PER_SECOND ERRORS". Traffic goes only to -addr (loopback in
// make bench); the run is bounded in time and count.
//
//	connrate -addr 127.0.0.1:9002 -c 50 -d 5s
package main

import (
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
	conc := flag.Int("c", 50, "concurrent workers")
	dur := flag.Duration("d", 5*time.Second, "duration of the run")
	limit := flag.Int64("n", 10_000_000, "stop after this many connections")
	req := flag.String("req", "GET / HTTP/1.0\r\n\r\n", "bytes to send on each connection (empty: none)")
	flag.Parse()
	if *addr == "" || *conc < 1 || *dur <= 0 {
		fmt.Fprintln(os.Stderr, "usage: connrate -addr HOST:PORT [-c N] [-d DURATION] [-n MAX] [-req BYTES]")
		os.Exit(2)
	}
	var done, errs atomic.Int64
	stop := time.Now().Add(*dur)
	var wg sync.WaitGroup
	start := time.Now()
	for range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 4096)
			for time.Now().Before(stop) && done.Load() < *limit {
				if err := once(*addr, *req, buf); err != nil {
					errs.Add(1)
					continue
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	fmt.Printf("%.0f %d\n", float64(done.Load())/el, errs.Load())
}

// once runs one connection; every step is bounded by a 5s deadline.
func once(addr, req string, buf []byte) error {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if req != "" {
		if _, err := io.WriteString(c, req); err != nil {
			return err
		}
	}
	got := 0
	for {
		n, err := c.Read(buf)
		got += n
		if err == io.EOF {
			if got == 0 {
				return io.ErrUnexpectedEOF
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}
