package stats

import (
	"strings"
	"time"
)

// value is one cell of a stats row: empty (HAProxy leaves the column empty
// when it does not apply), an unsigned or signed number, or a string.
type value struct {
	kind uint8
	u    uint64
	i    int64
	s    string
}

const (
	vEmpty = iota
	vUint
	vInt
	vStr
)

func u64(n uint64) value { return value{kind: vUint, u: n} }
func i64(n int64) value  { return value{kind: vInt, i: n} }
func str(s string) value { return value{kind: vStr, s: s} }
func ui(n int) value     { return value{kind: vInt, i: int64(n)} }

// row is one line of `show stat`: obj is 'F', 'B' or 'S' as in `show stat
// typed`.
type row struct {
	obj     byte
	proxyID int
	id      int
	v       [numFields]value
}

// rowOpts are the options of a rendering that change row contents.
type rowOpts struct {
	legends bool // addr, cookie and algo columns (HAProxy's "show-legends")
}

// seconds returns whole seconds from t to now, never negative.
func seconds(now, t time.Time) int64 {
	if d := now.Sub(t); d > 0 {
		return int64(d / time.Second)
	}
	return 0
}

func ms(d time.Duration) uint64 {
	if d < 0 {
		return 0
	}
	return uint64(d / time.Millisecond)
}

// lastSess is HAProxy's lastsess: seconds since the last session, -1 never.
func lastSess(now, t time.Time) value {
	if t.IsZero() {
		return i64(-1)
	}
	return i64(seconds(now, t))
}

// commonRow fills the columns every row type shares.
func commonRow(r *row, p *Proxy, svname string, typ int, c *Counters) {
	r.proxyID = p.ID
	r.v[fPxname] = str(p.Name)
	r.v[fSvname] = str(svname)
	r.v[fScur] = i64(c.SessCur)
	r.v[fSmax] = i64(c.SessMax)
	r.v[fStot] = u64(c.SessTotal)
	r.v[fBin] = u64(c.BytesIn)
	r.v[fBout] = u64(c.BytesOut)
	r.v[fDresp] = u64(c.DeniedResp)
	r.v[fPid] = ui(1)
	r.v[fIid] = ui(p.ID)
	r.v[fType] = ui(typ)
	r.v[fRate] = u64(c.SessRate)
	r.v[fRateMax] = u64(c.SessRateMax)
	r.v[fMode] = str(p.Mode)
	if p.Mode == "http" {
		for i, n := range c.Responses {
			r.v[fHrsp1xx+i] = u64(n)
		}
	}
	r.v[fSslSess] = u64(c.SSLSess)
	r.v[fSslReusedSess] = u64(c.SSLReused)
	r.v[fSslFailedHandshake] = u64(c.SSLFailed)
}

// zeroModules writes 0 in the HTTP/2 and HTTP/1 module columns, which
// HAProxy fills for frontends and backends (this proxy speaks no HTTP/2).
func zeroModules(r *row) {
	for f := fH2HeadersRcvd; f < numFields; f++ {
		r.v[f] = u64(0)
	}
}

func frontendRow(p *Proxy, now time.Time) row {
	f := p.Frontend
	r := row{obj: 'F'}
	commonRow(&r, p, "FRONTEND", 0, &f.Counters)
	if f.MaxConn > 0 {
		r.v[fSlim] = ui(f.MaxConn)
	}
	r.v[fDreq] = u64(f.DeniedReq)
	r.v[fEreq] = u64(f.ErrReq)
	r.v[fStatus] = str(f.Status)
	r.v[fSid] = ui(0)
	r.v[fRateLim] = ui(0)
	r.v[fReqRate] = u64(f.ReqRate)
	r.v[fReqRateMax] = u64(f.ReqRateMax)
	r.v[fReqTot] = u64(f.Requests)
	for i := fCompIn; i <= fCompRsp; i++ {
		r.v[i] = u64(0)
	}
	r.v[fConnRate] = u64(f.ConnRate)
	r.v[fConnRateMax] = u64(f.ConnRateMax)
	r.v[fConnTot] = u64(f.ConnTotal)
	r.v[fDcon] = u64(f.DeniedConn)
	r.v[fDses] = u64(f.DeniedSess)
	r.v[fWrew] = u64(f.Rewrites)
	r.v[fEint] = u64(0)
	zeroModules(&r)
	if p.Mode == "http" {
		r.v[fIntercepted] = u64(f.Intercepted)
		r.v[fCacheLookups] = u64(0)
		r.v[fCacheHits] = u64(0)
		r.v[fH1OpenConnections] = i64(f.SessCur)
		r.v[fH1OpenStreams] = i64(f.SessCur)
		r.v[fH1TotalConnections] = u64(f.ConnTotal)
		r.v[fH1TotalStreams] = u64(f.Requests)
		r.v[fH1BytesIn] = u64(f.BytesIn)
		r.v[fH1BytesOut] = u64(f.BytesOut)
	}
	return r
}

// timings fills the qtime..ttime and *_max columns.
func timings(r *row, t *Timings) {
	r.v[fQtime], r.v[fCtime], r.v[fRtime], r.v[fTtime] = u64(ms(t.QTime)), u64(ms(t.CTime)), u64(ms(t.RTime)), u64(ms(t.TTime))
	r.v[fQtimeMax], r.v[fCtimeMax], r.v[fRtimeMax], r.v[fTtimeMax] = u64(ms(t.QTimeMax)), u64(ms(t.CTimeMax)), u64(ms(t.RTimeMax)), u64(ms(t.TTimeMax))
}

func serverRow(p *Proxy, s *Server, now, start time.Time, o rowOpts) row {
	r := row{obj: 'S', id: s.ID}
	commonRow(&r, p, s.Name, 2, &s.Counters)
	r.v[fQcur] = i64(s.QueueCur)
	r.v[fQmax] = i64(s.QueueMax)
	if s.MaxConn > 0 {
		r.v[fSlim] = ui(s.MaxConn)
	}
	r.v[fEcon] = u64(s.ErrConn)
	r.v[fEresp] = u64(s.ErrResp)
	r.v[fWretr] = u64(s.Retries)
	r.v[fWredis] = u64(s.Redispatch)
	r.v[fStatus] = str(s.Status)
	r.v[fWeight] = ui(s.Weight)
	if s.Backup {
		r.v[fAct], r.v[fBck] = ui(0), ui(1)
	} else {
		r.v[fAct], r.v[fBck] = ui(1), ui(0)
	}
	r.v[fLastchg] = i64(seconds(now, orStart(s.LastChange, start)))
	if s.MaxQueue > 0 {
		r.v[fQlimit] = ui(s.MaxQueue)
	}
	r.v[fSid] = ui(s.ID)
	r.v[fLbtot] = u64(s.LbTotal)
	if p.Mode == "http" {
		r.v[fReqTot] = u64(s.Requests)
	}
	r.v[fCliAbrt] = u64(s.ClientAborts)
	r.v[fSrvAbrt] = u64(s.ServerAborts)
	r.v[fLastsess] = lastSess(now, s.LastSess)
	timings(&r, &s.Timings)
	if c := s.Check; c != nil {
		r.v[fChkfail] = u64(s.ChkFail)
		r.v[fChkdown] = u64(s.ChkDown)
		r.v[fDowntime] = u64(uint64(s.Downtime / time.Second))
		// HAProxy stops reporting the check of a server in maintenance.
		if !strings.HasPrefix(s.Status, "MAINT") && c.Status != "" {
			r.v[fCheckStatus] = str(c.Status)
			if c.Code > 0 {
				r.v[fCheckCode] = ui(c.Code)
			}
			r.v[fCheckDuration] = u64(ms(c.Duration))
			r.v[fLastChk] = str(c.Info) // present even when empty, as in HAProxy's JSON
			desc := c.Desc
			if desc == "" {
				desc = CheckDesc(c.Status)
			}
			r.v[fCheckDesc] = str(desc)
			r.v[fCheckRise] = ui(c.Rise)
			r.v[fCheckFall] = ui(c.Fall)
			r.v[fCheckHealth] = ui(c.Health)
		}
	}
	if o.legends {
		r.v[fAddr] = str(s.Addr)
		if s.Cookie != "" {
			r.v[fCookie] = str(s.Cookie)
		}
	}
	r.v[fWrew] = u64(0)
	r.v[fConnect] = u64(s.Connect)
	r.v[fReuse] = u64(s.Reuse)
	r.v[fSrvIcur] = ui(s.IdleConns)
	r.v[fEint] = u64(0)
	r.v[fIdleConnCur] = ui(s.IdleConns)
	r.v[fSafeConnCur] = ui(0)
	r.v[fUsedConnCur] = ui(s.UsedConns)
	r.v[fNeedConnEst] = ui(s.UsedConns + 1)
	r.v[fUweight] = ui(s.UWeight)
	return r
}

func orStart(t, start time.Time) time.Time {
	if t.IsZero() {
		return start
	}
	return t
}

func backendRow(p *Proxy, now, start time.Time, o rowOpts) row {
	b := p.Backend
	r := row{obj: 'B'}
	commonRow(&r, p, "BACKEND", 1, &b.Counters)
	r.v[fQcur] = i64(b.QueueCur)
	r.v[fQmax] = i64(b.QueueMax)
	if b.MaxConn > 0 {
		r.v[fSlim] = ui(b.MaxConn)
	}
	r.v[fDreq] = u64(b.DeniedReq)
	r.v[fEcon] = u64(b.ErrConn)
	r.v[fEresp] = u64(b.ErrResp)
	r.v[fWretr] = u64(b.Retries)
	r.v[fWredis] = u64(b.Redispatch)
	r.v[fStatus] = str(b.Status)
	r.v[fWeight] = ui(b.Weight)
	r.v[fAct] = ui(b.Active)
	r.v[fBck] = ui(b.Backup)
	r.v[fChkdown] = u64(b.ChkDown)
	r.v[fLastchg] = i64(seconds(now, orStart(b.LastChange, start)))
	if len(p.Servers) > 0 {
		r.v[fDowntime] = u64(uint64(b.Downtime / time.Second))
	}
	r.v[fSid] = ui(0)
	r.v[fLbtot] = u64(b.LbTotal)
	if p.Mode == "http" {
		r.v[fReqTot] = u64(b.Requests)
		r.v[fCacheLookups] = u64(0)
		r.v[fCacheHits] = u64(0)
	}
	r.v[fCliAbrt] = u64(b.ClientAborts)
	r.v[fSrvAbrt] = u64(b.ServerAborts)
	for i := fCompIn; i <= fCompRsp; i++ {
		r.v[i] = u64(0)
	}
	r.v[fLastsess] = lastSess(now, b.LastSess)
	timings(&r, &b.Timings)
	if o.legends {
		if b.Cookie != "" {
			r.v[fCookie] = str(b.Cookie)
		}
		r.v[fAlgo] = str(b.Algo)
	}
	r.v[fWrew] = u64(b.Rewrites)
	r.v[fConnect] = u64(b.Connect)
	r.v[fReuse] = u64(b.Reuse)
	r.v[fEint] = u64(0)
	r.v[fUweight] = ui(b.UWeight)
	r.v[fAggServerStatus] = u64(0)
	r.v[fAggServerCheckStatus] = u64(0)
	r.v[fAggCheckStatus] = u64(0)
	zeroModules(&r)
	if p.Mode == "http" {
		r.v[fH1TotalConnections] = u64(b.Connect)
		r.v[fH1TotalStreams] = u64(b.Requests)
		r.v[fH1BytesIn] = u64(b.BytesOut)
		r.v[fH1BytesOut] = u64(b.BytesIn)
	}
	return r
}

// rows returns every row of snap in HAProxy's order: per proxy, FRONTEND,
// servers, BACKEND.
func rows(snap *Snapshot, o rowOpts) []row {
	now, start := snap.Info.Now, snap.Info.Start
	if start.IsZero() {
		start = now
	}
	var out []row
	for i := range snap.Proxies {
		p := &snap.Proxies[i]
		if p.Frontend != nil {
			out = append(out, frontendRow(p, now))
		}
		if p.Backend != nil {
			for j := range p.Servers {
				out = append(out, serverRow(p, &p.Servers[j], now, start, o))
			}
			out = append(out, backendRow(p, now, start, o))
		}
	}
	return out
}
