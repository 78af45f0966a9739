package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/sirupsen/logrus"

	"haappliance/sysctl"
)

// cmdSysctl prints each recommended kernel setting with its current and
// wanted value; --apply writes them.
func cmdSysctl(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sysctl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("c", "", "configuration file (for [sysctl.set]; default: the recommended set only)")
	apply := fs.Bool("apply", false, "write the settings")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var cfg sysctl.Config
	if *file != "" {
		f, err := LoadFile(*file)
		if err != nil {
			for _, l := range problemLines(err) {
				fmt.Fprintln(stderr, l)
			}
			return 1
		}
		cfg = f.Sysctl
	}
	store := sysctl.FS{}
	plan := sysctl.Plan(cfg)
	if !*apply {
		if err := sysctl.Show(stdout, sysctl.Inspect(store, plan)); err != nil {
			fmt.Fprintln(stderr, "haappliance sysctl:", err)
			return 1
		}
		return 0
	}
	outs := sysctl.Apply(store, plan)
	if err := sysctl.ShowOutcomes(stdout, outs); err != nil {
		fmt.Fprintln(stderr, "haappliance sysctl:", err)
		return 1
	}
	if sysctl.Count(outs, sysctl.Failed) > 0 {
		return 1
	}
	return 0
}

// prepareHost applies the sysctls (unless disabled) and raises the open-file
// limit; the limit is the one thing that stops the start (SPEC §8).
func prepareHost(f *File, noSysctl bool, log *logrus.Entry) error {
	if !noSysctl && f.Sysctl.ApplyEnabled() {
		sysctl.Log(log, sysctl.Apply(sysctl.FS{}, sysctl.Plan(f.Sysctl)))
	}
	lim, err := sysctl.RaiseNoFile(sysctl.NoFileFor(f.Global.EffectiveMaxConn()))
	if err != nil {
		return err
	}
	if lim.Raised() {
		log.Infof("open-file limit raised: %s", lim)
	}
	return nil
}
