package stats

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// HTMLOptions are the stats section's settings that shape the page.
type HTMLOptions struct {
	URI         string        // stats uri; the admin form posts here
	Refresh     time.Duration // shown on the page; the Refresh header is Page's job
	Admin       bool          // show the admin form per backend
	HideVersion bool
	Message     string // result of the last admin action, shown on top
}

// ServerClass returns the CSS class of a server row, HAProxy's names:
// active_up, active_down, active_going_down ("UP 1/3"), active_going_up
// ("DOWN 1/2"), active_draining, active_nolb, active_no_check, maintain,
// and backup_* for backup servers.
func ServerClass(s *Server) string {
	st := s.Status
	var state string
	switch {
	case strings.HasPrefix(st, "MAINT"):
		return "maintain"
	case st == "DRAIN":
		state = "draining"
	case st == "NOLB":
		state = "nolb"
	case st == "no check":
		state = "no_check"
	case strings.HasPrefix(st, "UP "):
		state = "going_down"
	case st == "UP":
		state = "up"
	case strings.HasPrefix(st, "DOWN "):
		state = "going_up"
	default:
		state = "down"
	}
	if s.Backup {
		return "backup_" + state
	}
	return "active_" + state
}

// HumanDuration formats a duration as HAProxy's stats page: "3d4h",
// "2h5m", "1m30s", "12s".
func HumanDuration(d time.Duration) string {
	s := int64(d / time.Second)
	if s < 0 {
		s = 0
	}
	switch {
	case s >= 86400:
		return fmt.Sprintf("%dd%dh", s/86400, s/3600%24)
	case s >= 3600:
		return fmt.Sprintf("%dh%dm", s/3600, s/60%60)
	case s >= 60:
		return fmt.Sprintf("%dm%ds", s/60, s%60)
	}
	return fmt.Sprintf("%ds", s)
}

type htmlRow struct {
	Class, Name                         string
	Checkbox                            bool
	QCur, QMax, QLim                    string
	SCur, SMax, SLim, STot              string
	BIn, BOut                           string
	DReq, DResp, EReq, EConn, EResp     string
	Retr, Redis                         string
	Rsp                                 [6]string
	Status, StatusClass, LastChk        string
	Weight, Act, Bck, Chk, Dwn, Dwntime string
}

type htmlProxy struct {
	Name, Mode string
	Rows       []htmlRow
	Backend    bool // the admin form applies
}

type htmlPage struct {
	Opts    HTMLOptions
	Info    *Info
	Uptime  string
	Proxies []htmlProxy
	Classes []string
}

func num[T int | int64 | uint64](n T) string { return fmt.Sprint(n) }

func limit(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprint(n)
}

func countersRow(r *htmlRow, c *Counters, http bool) {
	r.SCur, r.SMax, r.STot = num(c.SessCur), num(c.SessMax), num(c.SessTotal)
	r.BIn, r.BOut = num(c.BytesIn), num(c.BytesOut)
	r.DReq, r.DResp = num(c.DeniedReq), num(c.DeniedResp)
	r.EConn, r.EResp = num(c.ErrConn), num(c.ErrResp)
	r.Retr, r.Redis = num(c.Retries), num(c.Redispatch)
	if http {
		for i, n := range c.Responses {
			r.Rsp[i] = num(n)
		}
	}
}

func buildPage(snap *Snapshot, o HTMLOptions) htmlPage {
	now := snap.Info.Now
	pg := htmlPage{Opts: o, Info: &snap.Info, Uptime: Uptime(now.Sub(snap.Info.Start))}
	if snap.Info.Start.IsZero() {
		pg.Uptime = Uptime(0)
	}
	pg.Classes = []string{"active_up", "active_going_down", "active_going_up", "active_down", "active_draining", "active_nolb",
		"active_no_check", "backup_up", "backup_going_down", "backup_going_up", "backup_down", "maintain"}
	for i := range snap.Proxies {
		p := &snap.Proxies[i]
		hp := htmlProxy{Name: p.Name, Mode: p.Mode, Backend: p.Backend != nil && len(p.Servers) > 0}
		http := p.Mode == "http"
		if f := p.Frontend; f != nil {
			r := htmlRow{Class: "frontend", Name: "Frontend", SLim: limit(f.MaxConn), EReq: num(f.ErrReq),
				Status: f.Status}
			countersRow(&r, &f.Counters, http)
			r.EConn, r.EResp, r.Retr, r.Redis = "", "", "", ""
			hp.Rows = append(hp.Rows, r)
		}
		if b := p.Backend; b != nil {
			for j := range p.Servers {
				s := &p.Servers[j]
				r := htmlRow{Class: ServerClass(s), Name: s.Name, Checkbox: o.Admin,
					QCur: num(s.QueueCur), QMax: num(s.QueueMax), QLim: limit(s.MaxQueue), SLim: limit(s.MaxConn),
					Status: HumanDuration(now.Sub(orStart(s.LastChange, snap.Info.Start))) + " " + s.Status,
					Weight: num(s.Weight), Act: "Y", Bck: "-"}
				if s.Backup {
					r.Act, r.Bck = "-", "Y"
				}
				countersRow(&r, &s.Counters, http)
				if c := s.Check; c != nil {
					r.LastChk = c.Status
					if c.Code > 0 {
						r.LastChk += fmt.Sprintf("/%d", c.Code)
					}
					r.LastChk += fmt.Sprintf(" in %dms", c.Duration/time.Millisecond)
					r.Chk, r.Dwn, r.Dwntime = num(s.ChkFail), num(s.ChkDown), HumanDuration(s.Downtime)
				}
				r.StatusClass = r.Class
				hp.Rows = append(hp.Rows, r)
			}
			r := htmlRow{Class: "backend", Name: "Backend", QCur: num(b.QueueCur), QMax: num(b.QueueMax), SLim: limit(b.MaxConn),
				Status: HumanDuration(now.Sub(orStart(b.LastChange, snap.Info.Start))) + " " + b.Status,
				Weight: num(b.Weight), Act: num(b.Active), Bck: num(b.Backup), Dwn: num(b.ChkDown), Dwntime: HumanDuration(b.Downtime)}
			if b.Status != "UP" {
				r.StatusClass = "active_down"
			}
			countersRow(&r, &b.Counters, http)
			hp.Rows = append(hp.Rows, r)
		}
		pg.Proxies = append(pg.Proxies, hp)
	}
	return pg
}

// WriteHTML writes the stats page: a self-contained HTML document (inline
// CSS, no scripts or external assets) in the look of HAProxy's, with a
// table per proxy and server rows coloured by state.
func WriteHTML(w io.Writer, snap *Snapshot, o HTMLOptions) error {
	return pageTemplate.Execute(w, buildPage(snap, o))
}
