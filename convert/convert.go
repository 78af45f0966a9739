package convert

import (
	"errors"
	"fmt"
)

// Options adjust the converted file for where it will run.
type Options struct {
	// NoSysctl writes [sysctl] apply = false (tests, containers); the
	// default writes apply = true, SPEC §8's recommended settings.
	NoSysctl bool
	// ControlSocket, when set, is global.control_socket whatever the
	// haproxy configuration's `stats socket` says.
	ControlSocket string
}

// Convert converts haproxySrc (named haproxyName in the report) and, when
// keepalivedSrc is not nil, keepalivedSrc into one haappliance TOML file,
// with default Options. See Options.Convert.
func Convert(haproxyName string, haproxySrc []byte, keepalivedName string, keepalivedSrc []byte) ([]byte, []ReportLine, error) {
	return Options{}.Convert(haproxyName, haproxySrc, keepalivedName, keepalivedSrc)
}

// Convert converts the two inputs. The report has one line per keyword
// of the inputs saying whether it was mapped, approximated or ignored,
// ordered by file then line. The error is set only when an input cannot
// be read at all, as haproxy or keepalived would refuse it (an unbalanced
// quote or brace); its lines then read "FILE:LINE: message".
func (o Options) Convert(haproxyName string, haproxySrc []byte, keepalivedName string, keepalivedSrc []byte) ([]byte, []ReportLine, error) {
	out := &output{
		sources: []string{haproxyName},
		global:  newTable("maxconn", "user", "group", "control_socket", "pidfile", "hard_stop_after"),
		sysctl:  newTable(),
	}
	hc := newHapConv(haproxyName, out)
	hc.parse(haproxySrc)
	if len(hc.errs) > 0 {
		return nil, nil, errors.Join(hc.errs...)
	}
	report := hc.rep.sorted()
	if o.ControlSocket != "" {
		out.global.str("control_socket", o.ControlSocket)
	}
	out.sysctl.flag("apply", !o.NoSysctl)
	if keepalivedSrc != nil {
		out.sources = append(out.sources, keepalivedName)
		nodes, err := kaParse(string(keepalivedSrc))
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%w", keepalivedName, err)
		}
		kc := &kaConv{rep: &reporter{file: keepalivedName}, out: out, frontend: hc.trackFrontend}
		kc.convert(nodes)
		report = append(report, kc.rep.sorted()...)
	}
	return out.render(), report, nil
}

// trackFrontend picks the frontend a haproxy-checking track script
// becomes: the first HTTP frontend or listen section in file order (not a
// stats-only listen section), else the first one of any mode.
func (c *hapConv) trackFrontend() (name, why string) {
	var firstAny *section
	for _, s := range c.out.sections {
		if kindBit(s.kind)&kFE == 0 || !s.t.has("bind") {
			continue
		}
		if firstAny == nil {
			firstAny = s
		}
		statsOnly := s.t.has("stats") && !s.t.has("server")
		if c.modeOf(s) == "http" && !statsOnly {
			return s.name, fmt.Sprintf("%s '%s' (the first HTTP frontend of %s, line %d)", s.kind, s.name, c.rep.file, s.line)
		}
	}
	if firstAny != nil {
		return firstAny.name, fmt.Sprintf("%s '%s' (the first frontend of %s, line %d; in %s mode the probe is a TCP connect)", firstAny.kind, firstAny.name, c.rep.file, firstAny.line, c.modeOf(firstAny))
	}
	return "", ""
}

// modeOf is a section's effective mode: its own, its defaults', else tcp
// (haproxy's default).
func (c *hapConv) modeOf(s *section) string {
	for _, t := range []*section{s, s.defs, c.base} {
		if t != nil {
			if v := t.t.get("mode"); v != nil {
				return map[string]string{`"http"`: "http", `"tcp"`: "tcp"}[v.scalar]
			}
		}
	}
	return "tcp"
}
