package checks

import "strconv"

// ServerTransition is HAProxy 2.6's log line for a server changing state
// (src/server.c srv_update_status + srv_append_status), e.g.
//
//	Server ms1/ms1.srv1 is DOWN, reason: Layer7 wrong status, code: 404, info: "Not Found", check duration: 1ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.
//
// The proxy fills in the counts after applying the change: ActiveLeft and
// BackupLeft are the servers still UP (not DOWN, stopping or in
// maintenance), SessionsActive the server's current sessions, Requeued the
// requests moved off (DOWN) or taken from the backend queue (UP), Queued the
// requests still waiting in the server's queue.
type ServerTransition struct {
	Backend, Server string
	Backup          bool   // prints "Backup Server"
	State           State  // the new state
	Result          Result // the check that caused it; Status zero when not a check
	Cause           string // printed when Result has no status, e.g. "changed from CLI"

	ActiveLeft, BackupLeft int
	SessionsActive         int
	Requeued               int
	Queued                 int
}

// AppendTo appends the line, with its final period and no newline.
func (t ServerTransition) AppendTo(b []byte) []byte {
	if t.Backup {
		b = append(b, "Backup "...)
	}
	b = append(b, "Server "...)
	b = append(b, t.Backend...)
	b = append(b, '/')
	b = append(b, t.Server...)
	switch t.State {
	case StateDown:
		b = append(b, " is DOWN"...)
	case StateStopping:
		b = append(b, " is stopping"...)
	default:
		b = append(b, " is UP"...)
	}
	if t.Result.Status != StatusUnknown {
		b = append(b, ", "...)
		b = t.Result.AppendReason(b)
	} else if t.Cause != "" {
		b = append(b, ", "...)
		b = append(b, t.Cause...)
	}
	b = append(b, ". "...)
	b = strconv.AppendInt(b, int64(t.ActiveLeft), 10)
	b = append(b, " active and "...)
	b = strconv.AppendInt(b, int64(t.BackupLeft), 10)
	if t.State == StateDown {
		b = append(b, " backup servers left."...)
	} else {
		b = append(b, " backup servers online."...)
	}
	if t.BackupLeft > 0 && t.ActiveLeft == 0 {
		b = append(b, " Running on backup."...)
	}
	b = append(b, ' ')
	if t.State == StateDown {
		b = strconv.AppendInt(b, int64(t.SessionsActive), 10)
		b = append(b, " sessions active, "...)
		b = strconv.AppendInt(b, int64(t.Requeued), 10)
		b = append(b, " requeued, "...)
		b = strconv.AppendInt(b, int64(t.Queued), 10)
		b = append(b, " remaining in queue."...)
	} else {
		b = strconv.AppendInt(b, int64(t.Requeued), 10)
		b = append(b, " sessions requeued, "...)
		b = strconv.AppendInt(b, int64(t.Queued), 10)
		b = append(b, " total in queue."...)
	}
	return b
}

// String returns the log line.
func (t ServerTransition) String() string { return string(t.AppendTo(make([]byte, 0, 256))) }

// BackendEmpty is HAProxy's alert when the last server of a backend goes
// DOWN: `backend 'ms1' has no server available!` ("proxy" instead of
// "backend" for a listen section, as HAProxy's proxy_type_str says).
//
// HAProxy prints this quoted form on stderr; its syslog copy drops the
// quotes. SPEC §9.1 fixes the quoted form for every target.
type BackendEmpty struct {
	Backend string
	Listen  bool
}

// String returns the log line.
func (e BackendEmpty) String() string {
	kind := "backend"
	if e.Listen {
		kind = "proxy"
	}
	return kind + " '" + e.Backend + "' has no server available!"
}
