package main

import (
	"fmt"
	"io"
	"log/syslog"
	"os"
	"sync"

	"github.com/sirupsen/logrus"
)

// Packages log through a *logrus.Entry they are given. logrus has no notice
// or alert level; a package that means one of them sets the field
// SeverityField ("syslog_severity") to "notice" or "alert" on an Info or
// Error entry, and the hook below sends it with that syslog severity.
const SeverityField = "syslog_severity"

var facilities = map[string]syslog.Priority{
	"kern": syslog.LOG_KERN, "user": syslog.LOG_USER, "mail": syslog.LOG_MAIL,
	"daemon": syslog.LOG_DAEMON, "auth": syslog.LOG_AUTH, "syslog": syslog.LOG_SYSLOG,
	"lpr": syslog.LOG_LPR, "news": syslog.LOG_NEWS, "uucp": syslog.LOG_UUCP,
	"cron": syslog.LOG_CRON, "authpriv": syslog.LOG_AUTHPRIV, "ftp": syslog.LOG_FTP,
	"local0": syslog.LOG_LOCAL0, "local1": syslog.LOG_LOCAL1, "local2": syslog.LOG_LOCAL2,
	"local3": syslog.LOG_LOCAL3, "local4": syslog.LOG_LOCAL4, "local5": syslog.LOG_LOCAL5,
	"local6": syslog.LOG_LOCAL6, "local7": syslog.LOG_LOCAL7,
}

var severities = map[string]syslog.Priority{
	"emerg": syslog.LOG_EMERG, "alert": syslog.LOG_ALERT, "crit": syslog.LOG_CRIT,
	"err": syslog.LOG_ERR, "warning": syslog.LOG_WARNING, "notice": syslog.LOG_NOTICE,
	"info": syslog.LOG_INFO, "debug": syslog.LOG_DEBUG,
}

// severityOf maps a logrus entry to its syslog severity.
func severityOf(e *logrus.Entry) syslog.Priority {
	if s, ok := e.Data[SeverityField].(string); ok {
		if p, ok := severities[s]; ok {
			return p
		}
	}
	switch e.Level {
	case logrus.PanicLevel, logrus.FatalLevel:
		return syslog.LOG_CRIT
	case logrus.ErrorLevel:
		return syslog.LOG_ERR
	case logrus.WarnLevel:
		return syslog.LOG_WARNING
	case logrus.InfoLevel:
		return syslog.LOG_INFO
	default:
		return syslog.LOG_DEBUG
	}
}

// syslogHook sends each entry's message (fields are not part of the stable
// lines) to one syslog target with the target's facility, dropping entries
// below the target's level. It is logrus's syslog hook with the two levels
// logrus lacks (notice, alert) and per-target filtering.
type syslogHook struct {
	mu  sync.Mutex
	w   *syslog.Writer
	max syslog.Priority // most verbose severity sent
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
	max := syslog.LOG_DEBUG
	if t.Level != "" {
		max = severities[t.Level]
	}
	w, err := syslog.Dial(network, addr, fac|syslog.LOG_INFO, "haappliance")
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
	h.mu.Lock()
	defer h.mu.Unlock()
	switch sev {
	case syslog.LOG_EMERG:
		return h.w.Emerg(e.Message)
	case syslog.LOG_ALERT:
		return h.w.Alert(e.Message)
	case syslog.LOG_CRIT:
		return h.w.Crit(e.Message)
	case syslog.LOG_ERR:
		return h.w.Err(e.Message)
	case syslog.LOG_WARNING:
		return h.w.Warning(e.Message)
	case syslog.LOG_NOTICE:
		return h.w.Notice(e.Message)
	case syslog.LOG_INFO:
		return h.w.Info(e.Message)
	default:
		return h.w.Debug(e.Message)
	}
}

func (h *syslogHook) Close() error { return h.w.Close() }

// newLogger builds the process logger: stderr plus every syslog target. A
// target that cannot be opened is reported on stderr and skipped; syslog
// being down must not stop the load balancer.
func newLogger(targets []LogTarget, stderr io.Writer) (*logrus.Logger, func()) {
	l := logrus.New()
	l.SetOutput(stderr)
	l.SetLevel(logrus.DebugLevel)
	l.SetFormatter(&logrus.TextFormatter{FullTimestamp: true, DisableQuote: true})
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
