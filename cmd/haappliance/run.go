package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"

	"haappliance/sysctl"
)

// daemonOptions are the run-time choices of `run` and `demo`.
type daemonOptions struct {
	noSysctl bool
	stderr   io.Writer
	// ready, when set, is called once the daemon serves (tests, demo).
	ready func(*appliance)
}

func cmdRun(args []string, _, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("c", DefaultConfig, "configuration file")
	noSysctl := fs.Bool("no-sysctl", false, "do not apply the recommended kernel settings")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if err := runDaemon(ctx, *file, daemonOptions{noSysctl: *noSysctl, stderr: stderr}); err != nil {
		var ce interface{ Error() string }
		if errors.As(err, &ce) {
			for _, l := range problemLines(err) {
				fmt.Fprintln(stderr, l)
			}
		}
		return 1
	}
	return 0
}

// runDaemon loads path, prepares the host, starts the appliance and runs
// until ctx ends (graceful stop), reloading on SIGHUP.
func runDaemon(ctx context.Context, path string, opts daemonOptions) error {
	f, err := LoadFile(path)
	if err != nil {
		return err
	}
	logger, closeLog := newLogger(f.Global.Log, opts.stderr)
	defer closeLog()
	log := logrus.NewEntry(logger)

	if err := prepareHost(f, opts.noSysctl, log); err != nil {
		log.Error(err.Error())
		return err
	}
	app, err := newAppliance(f, log)
	if err != nil {
		log.Errorf("cannot start: %v", err)
		return err
	}
	if err := app.Start(); err != nil {
		log.Errorf("cannot start: %v", err)
		app.Stop(context.Background())
		return err
	}
	if f.Global.PidFile != "" {
		if err := sysctl.WritePidfile(f.Global.PidFile, os.Getpid()); err != nil {
			log.Warnf("pidfile: %v", err)
		} else {
			defer sysctl.RemovePidfile(f.Global.PidFile, os.Getpid())
		}
	}
	if f.Global.User != "" && os.Geteuid() == 0 {
		if err := sysctl.DropPrivileges(f.Global.User, f.Global.Group); err != nil {
			log.Errorf("cannot drop privileges: %v", err)
			app.Stop(context.Background())
			return err
		}
		log.Infof("running as user %s with CAP_NET_ADMIN, CAP_NET_RAW, CAP_NET_BIND_SERVICE", f.Global.User)
	}
	sysctl.NotifyReady()
	log.Infof("haappliance %s started (%s)", Version(), path)
	if opts.ready != nil {
		opts.ready(app)
	}

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-hup:
			sysctl.NotifyReloading()
			nf, err := LoadFile(path)
			if err != nil {
				for _, l := range problemLines(err) {
					log.Errorf("reload refused, keeping the running configuration: %s", l)
				}
			} else if err := app.Reload(nf); err != nil {
				log.Errorf("reload failed, keeping the running configuration: %v", err)
			} else {
				log.Infof("configuration reloaded from %s", path)
			}
			sysctl.NotifyReady()
		case <-ctx.Done():
			sysctl.NotifyStopping()
			log.Infof("stopping")
			bound := f.Global.HardStopAfter.Or(30 * time.Second)
			sctx, cancel := context.WithTimeout(context.Background(), bound)
			err := app.Stop(sctx)
			cancel()
			return err
		}
	}
}
