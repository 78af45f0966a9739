// Command vrrpnode runs the VRRP instances of a TOML file ([[vrrp.instance]]
// tables) until SIGTERM or SIGINT, then stops them gracefully. It is the
// stand-in for `haappliance run` in the namespace lab tests and benchmarks
// of package vrrp.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/BurntSushi/toml"
	"github.com/sirupsen/logrus"

	"haappliance/vrrp"
)

func main() {
	file := flag.String("c", "", "configuration file")
	flag.Parse()
	var cfg struct {
		VRRP vrrp.Config `toml:"vrrp"`
	}
	md, err := toml.DecodeFile(*file, &cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if u := md.Undecoded(); len(u) > 0 {
		fmt.Fprintf(os.Stderr, "%s: unknown keys %v\n", *file, u)
		os.Exit(1)
	}
	log := logrus.New()
	log.SetOutput(os.Stderr)
	log.SetLevel(logrus.DebugLevel)
	log.SetFormatter(&logrus.TextFormatter{FullTimestamp: true, TimestampFormat: "15:04:05.000000"})
	g, err := vrrp.NewGroup(cfg.VRRP, vrrp.Options{Log: logrus.NewEntry(log)})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	// SIGUSR1 prints the status and counters as one JSON line each.
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	go func() {
		for range usr1 {
			st, _ := json.Marshal(g.Snapshot())
			stats, _ := json.Marshal(g.Stats())
			fmt.Fprintf(os.Stderr, "STATUS %s\nSTATS %s\n", st, stats)
		}
	}()
	if err := g.Run(ctx); err != nil {
		log.Error(err)
		os.Exit(1)
	}
}
