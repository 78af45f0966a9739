package sysctl

import (
	"strconv"
	"syscall"
)

// RaiseNoFile raises RLIMIT_NOFILE to at least min (see NoFileFor): the soft
// limit, and the hard limit too when it is lower, which only a process with
// CAP_SYS_RESOURCE (root) may do. The error is a *NoFileError whose text
// tells the operator what to change.
func RaiseNoFile(min uint64) (Limits, error) {
	return raiseNoFile(sysRlimit{}, min)
}

type sysRlimit struct{}

func (sysRlimit) get() (uint64, uint64, error) {
	var r syscall.Rlimit
	err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r)
	return uint64(r.Cur), uint64(r.Max), err
}

func (sysRlimit) set(soft, hard uint64) error {
	// syscall.Setrlimit, not x/sys/unix: it also tells the os package not to
	// restore the original limit in child processes (notify scripts).
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: soft, Max: hard})
}

func (sysRlimit) nrOpen() uint64 {
	v, err := FS{}.Read("fs.nr_open")
	if err != nil {
		return 0
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0
	}
	return n
}
