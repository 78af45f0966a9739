package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a configuration. Path is a key path such as
// `backend.ms1.server[0].inter`: names joined by dots, array elements as [i].
// An empty Path means the problem concerns the file as a whole.
type Problem struct {
	Path string
	Msg  string
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Msg
	}
	return p.Path + ": " + p.Msg
}

// Problemf builds a Problem.
func Problemf(path, format string, args ...any) Problem {
	return Problem{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// Join builds a key path from a prefix and a key; it quotes nothing, since
// section names in this file are plain words.
func Join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// Index builds the path of element i of the array at path.
func Index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// Prefix returns ps with prefix joined in front of every path.
func Prefix(prefix string, ps []Problem) []Problem {
	out := make([]Problem, len(ps))
	for i, p := range ps {
		out[i] = Problem{Path: Join(prefix, p.Path), Msg: p.Msg}
		if p.Path == "" {
			out[i].Path = prefix
		}
	}
	return out
}

// Error is a list of problems located in a file, returned by loaders.
type Error struct {
	File     string
	Problems []Located
}

// Located is a Problem with its line in the file (0 when unknown).
type Located struct {
	Problem
	Line int
}

func (l Located) Format(file string) string {
	if l.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", file, l.Line, l.Problem.String())
	}
	return fmt.Sprintf("%s: %s", file, l.Problem.String())
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Format(e.File)
	}
	return strings.Join(lines, "\n")
}

// Locate resolves every problem's line with loc and sorts them by line.
func Locate(file string, loc *Locator, ps []Problem) *Error {
	e := &Error{File: file}
	for _, p := range ps {
		e.Problems = append(e.Problems, Located{Problem: p, Line: loc.Line(p.Path)})
	}
	sort.SliceStable(e.Problems, func(i, j int) bool {
		a, b := e.Problems[i].Line, e.Problems[j].Line
		if a == 0 || b == 0 {
			return a != 0 && b == 0
		}
		return a < b
	})
	return e
}
