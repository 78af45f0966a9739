package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"haappliance/config"
	"haappliance/proxy"
	"haappliance/sysctl"
	"haappliance/vrrp"
)

// File is the whole haappliance configuration file. Each section's type is
// owned by the package that uses it; this struct only puts them together.
type File struct {
	Global Global        `toml:"global"`
	Sysctl sysctl.Config `toml:"sysctl"`
	proxy.Config
	VRRP vrrp.Config `toml:"vrrp"`
}

// LoadFile reads, decodes and validates path. On failure the error is a
// *config.Error whose lines read "FILE:LINE: message".
func LoadFile(path string) (*File, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseFile(path, src)
}

// ParseFile decodes and validates src, naming it path in errors.
func ParseFile(path string, src []byte) (*File, error) {
	var f File
	md, err := toml.Decode(string(src), &f)
	if err != nil {
		return nil, &config.Error{File: path, Problems: []config.Located{decodeProblem(err, src)}}
	}
	var ps []config.Problem
	for _, k := range md.Undecoded() {
		ps = append(ps, config.Problemf(k.String(), "unknown key %q", k[len(k)-1]))
	}
	ps = append(ps, f.Validate()...)
	if len(ps) > 0 {
		return nil, config.Locate(path, config.NewLocator(src), ps)
	}
	f.Config.GlobalMaxConn = f.Global.EffectiveMaxConn()
	return &f, nil
}

// decodeProblem turns a TOML decoder error into a located problem. A
// syntax error is placed on the line of the byte it points at; a type error
// names its key, which the decoder gives with its line.
func decodeProblem(err error, src []byte) config.Located {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		line := pe.Position.Line
		if st := pe.Position.Start; st > 0 && st <= len(src) {
			line = 1 + bytes.Count(src[:st], []byte("\n"))
		}
		return config.Located{Problem: config.Problem{Msg: pe.Message}, Line: line}
	}
	msg := strings.TrimPrefix(err.Error(), "toml: ")
	line, path := 0, ""
	if m := typeErrRe.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		path = m[2]
		msg = msg[len(m[0]):]
	}
	return config.Located{Problem: config.Problem{Path: path, Msg: msg}, Line: line}
}

var typeErrRe = regexp.MustCompile(`^(?:line (\d+) )?\(last key "([^"]*)"\): `)

// Validate checks every section and the references between them.
func (f *File) Validate() []config.Problem {
	var ps []config.Problem
	ps = append(ps, f.Global.Validate()...)
	ps = append(ps, config.Prefix("sysctl", f.Sysctl.Validate())...)
	ps = append(ps, f.Config.Validate()...)
	ps = append(ps, config.Prefix("vrrp", f.VRRP.Validate())...)
	ps = append(ps, f.validateTracks()...)
	return ps
}

// validateTracks checks that VRRP track entries name sections that exist.
func (f *File) validateTracks() []config.Problem {
	var ps []config.Problem
	for i, in := range f.VRRP.Instances {
		for j, t := range in.Track {
			p := config.Index(config.Index("vrrp.instance", i)+".track", j)
			if t.Frontend != "" && !f.hasFrontend(t.Frontend) {
				ps = append(ps, config.Problemf(p+".frontend", "no frontend or listen section named %q", t.Frontend))
			}
			if t.Backend != "" && !f.hasBackend(t.Backend) {
				ps = append(ps, config.Problemf(p+".backend", "no backend or listen section named %q", t.Backend))
			}
		}
	}
	return ps
}

func (f *File) hasFrontend(name string) bool {
	_, a := f.Frontends[name]
	_, b := f.Listens[name]
	return a || b
}

func (f *File) hasBackend(name string) bool {
	_, a := f.Backends[name]
	_, b := f.Listens[name]
	return a || b
}

// problemLines renders a load error as the lines `check` prints.
func problemLines(err error) []string {
	var ce *config.Error
	if errors.As(err, &ce) {
		out := make([]string, len(ce.Problems))
		for i, p := range ce.Problems {
			out[i] = p.Format(ce.File)
		}
		return out
	}
	return []string{fmt.Sprint(err)}
}
