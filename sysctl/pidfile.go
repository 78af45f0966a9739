package sysctl

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// WritePidfile writes pid and a newline to path, creating its folder (0755)
// when needed. The file (0644) is written beside the target and renamed over
// it, so a reader never sees a partial one.
func WritePidfile(path string, pid int) error {
	if path == "" {
		return nil
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("pidfile: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("pidfile: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	_, err = tmp.WriteString(strconv.Itoa(pid) + "\n")
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("pidfile: %w", err)
	}
	return nil
}

// ReadPidfile returns the pid stored in path.
func ReadPidfile(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("pidfile: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("pidfile %s: no process id in %q", path, b)
	}
	return pid, nil
}

// RemovePidfile removes path if it still holds pid, so a stopping daemon
// never deletes the pidfile of the one that replaced it. A missing file is
// not an error.
func RemovePidfile(path string, pid int) error {
	if path == "" {
		return nil
	}
	got, err := ReadPidfile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil || got != pid {
		return nil // not ours: leave it
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("pidfile: %w", err)
	}
	return nil
}
