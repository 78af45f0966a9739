package vrrp

import (
	"context"
	"os/exec"
	"strconv"
)

// notify runs the instance's notify scripts for a transition to st, as
// keepalived calls them: notify_master, notify_backup or notify_fault with
// no added arguments, then notify with "INSTANCE NAME STATE PRIORITY"
// (STATE is MASTER, BACKUP, FAULT or STOP). They run in their own goroutine
// with a timeout and never block the state machine; run waits for them
// before it returns.
func (in *Instance) notify(st State, prio int) {
	var argvs [][]string
	var specific string
	state := st.String()
	switch st {
	case StateMaster:
		specific = in.cfg.NotifyMaster
	case StateBackup:
		specific = in.cfg.NotifyBackup
	case StateFault:
		specific = in.cfg.NotifyFault
	case StateInit:
		state = "STOP"
	}
	if specific != "" {
		if argv, err := splitCommand(specific); err == nil {
			argvs = append(argvs, argv)
		}
	}
	if in.cfg.Notify != "" {
		if argv, err := splitCommand(in.cfg.Notify); err == nil {
			argvs = append(argvs, append(argv, "INSTANCE", in.cfg.Name, state, strconv.Itoa(prio)))
		}
	}
	if len(argvs) == 0 {
		return
	}
	run := in.opts.RunScript
	if run == nil {
		run = execScript
	}
	timeout := in.opts.scriptTimeout()
	in.scripts.Add(1)
	go func() {
		defer in.scripts.Done()
		for _, argv := range argvs { // in order, as keepalived
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			if err := run(ctx, argv); err != nil {
				in.log.WithError(err).Warnf("VRRP_Instance(%s) notify script %s failed", in.cfg.Name, argv[0])
			}
			cancel()
		}
	}()
}

// execScript runs argv without a shell; the process is killed when ctx
// ends.
func execScript(ctx context.Context, argv []string) error {
	return exec.CommandContext(ctx, argv[0], argv[1:]...).Run()
}
