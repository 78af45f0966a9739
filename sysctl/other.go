//go:build !linux

package sysctl

import "errors"

var errNotLinux = errors.New("host preparation is only implemented on Linux")

// RaiseNoFile is only implemented on Linux.
func RaiseNoFile(min uint64) (Limits, error) { return Limits{}, errNotLinux }

// DropPrivileges is only implemented on Linux.
func DropPrivileges(user, group string) error {
	if user == "" && group == "" {
		return nil
	}
	return errNotLinux
}
