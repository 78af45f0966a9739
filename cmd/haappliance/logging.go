package main

import (
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/sirupsen/logrus"
)

// Packages log through a *logrus.Entry they are given. logrus has no notice
// or alert level; a package that means one of them sets the field
// SeverityField ("syslog_severity") to "notice" or "alert" on an Info or
// Error entry, and the hook below sends it with that syslog severity.
const SeverityField = "syslog_severity"

// facilities are the syslog facility codes (RFC 3164 §4.1.1).
var facilities = map[string]int{
	"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6,
	"news": 7, "uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11,
	"local0": 16, "local1": 17, "local2": 18, "local3": 19,
	"local4": 20, "local5": 21, "local6": 22, "local7": 23,
}

// Syslog severities (RFC 3164 §4.1.1).
const (
	sevEmerg = iota
	sevAlert
	sevCrit
	sevErr
	sevWarning
	sevNotice
	sevInfo
	sevDebug
)

var severities = map[string]int{
	"emerg": sevEmerg, "alert": sevAlert, "crit": sevCrit, "err": sevErr,
	"warning": sevWarning, "notice": sevNotice, "info": sevInfo, "debug": sevDebug,
}

// severityOf maps a logrus entry to its syslog severity.
func severityOf(e *logrus.Entry) int {
	if s, ok := e.Data[SeverityField].(string); ok {
		if p, ok := severities[s]; ok {
			return p
		}
	}
	switch e.Level {
	case logrus.PanicLevel, logrus.FatalLevel:
		return sevCrit
	case logrus.ErrorLevel:
		return sevErr
	case logrus.WarnLevel:
		return sevWarning
	case logrus.InfoLevel:
		return sevInfo
	default:
		return sevDebug
	}
}

// syslogHook sends each entry's message (fields are not part of the stable
// lines) to one syslog target with the target's facility, dropping entries
// below the target's level. It is logrus's syslog hook with the two levels
// logrus lacks (notice, alert), per-target filtering and RFC 3164 framing.
type syslogHook struct {
	w   *syslogWriter
	max int // most verbose severity sent
}

func newSyslogHook(t LogTarget) (*syslogHook, error) {
	network, addr, err := t.Dial()
	if err != nil {
		return nil, err
	}
	fac, ok := facilities[t.Facility]
	if !ok {
		return nil, fmt.Errorf("unknown facility %q", t.Facility)
	}
	max := sevDebug
	if t.Level != "" {
		max = severities[t.Level]
	}
	w, err := dialSyslog(network, addr, fac, "haappliance")
	if err != nil {
		return nil, fmt.Errorf("syslog %s: %w", t.Address, err)
	}
	return &syslogHook{w: w, max: max}, nil
}

func (h *syslogHook) Levels() []logrus.Level { return logrus.AllLevels }

func (h *syslogHook) Fire(e *logrus.Entry) error {
	sev := severityOf(e)
	if sev > h.max {
		return nil
	}
	return h.w.write(sev, e.Message)
}

func (h *syslogHook) Close() error { return h.w.Close() }

// newLogger builds the process logger: stderr plus every syslog target. A
// target that cannot be opened is reported on stderr and skipped; syslog
// being down must not stop the load balancer.
func newLogger(targets []LogTarget, stderr io.Writer) (*logrus.Logger, func()) {
	l := logrus.New()
	l.SetOutput(stderr)
	l.SetLevel(logrus.DebugLevel)
	l.SetFormatter(stderrFormatter{})
	var hooks []*syslogHook
	for _, t := range targets {
		if t.Address == "stderr" {
			continue
		}
		h, err := newSyslogHook(t)
		if err != nil {
			fmt.Fprintf(stderr, "haappliance: log target %s: %v (continuing without it)\n", t.Address, err)
			continue
		}
		l.AddHook(h)
		hooks = append(hooks, h)
	}
	if os.Getenv("HAAPPLIANCE_DEBUG") == "" {
		l.SetLevel(logrus.InfoLevel)
	}
	return l, func() {
		for _, h := range hooks {
			h.Close()
		}
	}
}

// stderrFormatter writes "TIME SEVERITY: message" (journald adds its own
// metadata), with the syslog severity names so notice and alert show as
// such, and any other fields as key=value after the message.
type stderrFormatter struct{}

var sevNames = [...]string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

func (stderrFormatter) Format(e *logrus.Entry) ([]byte, error) {
	b := make([]byte, 0, len(e.Message)+48)
	b = e.Time.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
	b = append(b, ' ')
	b = append(b, sevNames[severityOf(e)]...)
	b = append(b, ": "...)
	b = append(b, e.Message...)
	keys := make([]string, 0, len(e.Data))
	for k := range e.Data {
		if k != SeverityField {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		b = append(b, ' ')
		b = append(b, k...)
		b = append(b, '=')
		b = append(b, fmt.Sprint(e.Data[k])...)
	}
	return append(b, '\n'), nil
}
