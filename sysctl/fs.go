package sysctl

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DefaultRoot is where the running kernel shows its settings.
const DefaultRoot = "/proc/sys"

// FS reads and writes sysctl keys as files under Root. The zero value uses
// DefaultRoot; tests point Root at a temporary directory.
type FS struct {
	Root string
}

func (f FS) root() string {
	if f.Root == "" {
		return DefaultRoot
	}
	return f.Root
}

// Path returns the file that holds key.
func (f FS) Path(key string) string {
	return filepath.Join(f.root(), filepath.FromSlash(keyPath(key)))
}

// Read returns the current value of key, whitespace-normalised (the kernel
// separates ip_local_port_range with a tab). A key the kernel does not have
// yields an error that matches os.ErrNotExist.
func (f FS) Read(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	b, err := os.ReadFile(f.Path(key))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", key, unwrapPath(err))
	}
	return Normalize(string(b)), nil
}

// Write sets key to value. It never creates a key: a missing one yields an
// error that matches os.ErrNotExist.
func (f FS) Write(key, value string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := checkValue(value); err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	file, err := os.OpenFile(f.Path(key), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w", key, unwrapPath(err))
	}
	_, err = file.WriteString(Normalize(value) + "\n")
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s = %s: %w", key, Normalize(value), unwrapPath(err))
	}
	return nil
}

// Normalize collapses runs of spaces, tabs and newlines into one space and
// trims the ends, so "1024\t65023\n" and "1024 65023" compare equal.
func Normalize(v string) string {
	return strings.Join(strings.Fields(v), " ")
}

// keyPath turns a key into a slash-separated path relative to the root,
// following sysctl(8): when the first separator is '/', the key already is a
// path; otherwise '.' and '/' swap places.
func keyPath(k string) string {
	i := strings.IndexAny(k, "./")
	if i < 0 || k[i] == '/' {
		return k
	}
	b := []byte(k)
	for i, c := range b {
		switch c {
		case '.':
			b[i] = '/'
		case '/':
			b[i] = '.'
		}
	}
	return string(b)
}

// unwrapPath drops the *PathError wrapper (whose text repeats the full file
// name) but keeps the errno, so errors.Is(err, os.ErrNotExist) still holds.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func errf(format string, args ...any) error { return fmt.Errorf(format, args...) }
