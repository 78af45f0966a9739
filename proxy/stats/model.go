package stats

import "time"

// Snapshot is the state of the process and of every proxy at one instant.
type Snapshot struct {
	Info    Info
	Proxies []Proxy // in configuration order
}

// Info describes the process (`show info`). Zero values are written as 0.
type Info struct {
	Name        string // product name; "haappliance" when empty
	Version     string
	ReleaseDate string // "2026/10/17"; omitted when empty
	Node        string // host name
	Description string
	Pid         int
	Nbthread    int
	Start       time.Time // process start
	Now         time.Time // when the snapshot was taken; also the reference of "last change" ages
	UlimitN     int
	Maxsock     int
	Maxconn     int // global maxconn
	HardMaxconn int
	CurrConns   int64
	CumConns    uint64
	CumReq      uint64
	ConnRate    uint64 // connections over the last second
	MaxConnRate uint64
	SessRate    uint64
	MaxSessRate uint64
	Stopping    bool
	Jobs        int
	Listeners   int
	BytesOut    uint64 // total bytes sent to clients
}

// Proxy is a frontend, a backend, or both (a listen section): HAProxy's
// FRONTEND row, then one row per server, then the BACKEND row.
type Proxy struct {
	Name     string
	ID       int    // HAProxy's iid: position of the section, from 1
	Mode     string // "http" or "tcp"
	Frontend *Frontend
	Servers  []Server
	Backend  *Backend
}

// Counters are the traffic counters common to every row.
type Counters struct {
	SessCur     int64  // scur
	SessMax     int64  // smax
	SessTotal   uint64 // stot
	SessRate    uint64 // rate: sessions over the last second
	SessRateMax uint64 // rate_max
	BytesIn     uint64 // bin: from clients
	BytesOut    uint64 // bout: to clients
	DeniedReq   uint64 // dreq
	DeniedResp  uint64 // dresp
	ErrReq      uint64 // ereq: bad or timed-out requests
	ErrConn     uint64 // econ: failed connections to servers
	ErrResp     uint64 // eresp: bad or aborted server responses
	Retries     uint64 // wretr
	Redispatch  uint64 // wredis
	Requests    uint64 // req_tot (HTTP)
	// Responses by class: 1xx, 2xx, 3xx, 4xx, 5xx, other (hrsp_*).
	Responses    [6]uint64
	ClientAborts uint64 // cli_abrt
	ServerAborts uint64 // srv_abrt
	SSLSess      uint64 // ssl_sess
	SSLReused    uint64 // ssl_reused_sess
	SSLFailed    uint64 // ssl_failed_handshake
}

// Frontend is a FRONTEND row.
type Frontend struct {
	Counters
	Status      string // OPEN, FULL or STOP
	MaxConn     int    // slim
	ConnTotal   uint64 // conn_tot: accepted connections
	ConnRate    uint64
	ConnRateMax uint64
	ReqRate     uint64
	ReqRateMax  uint64
	Intercepted uint64 // requests answered by the proxy itself (stats, redirect, return, deny)
	DeniedConn  uint64 // dcon
	DeniedSess  uint64 // dses
	Rewrites    uint64 // wrew: failed header rewrites
}

// Timings are the averages (over the last 1024 requests, as HAProxy) and
// maxima of the queue, connect, response and total times.
type Timings struct {
	QTime, CTime, RTime, TTime             time.Duration
	QTimeMax, CTimeMax, RTimeMax, TTimeMax time.Duration
}

// Backend is a BACKEND row.
type Backend struct {
	Counters
	Timings
	Status     string // UP or DOWN
	Algo       string // balance algorithm (shown with legends)
	Cookie     string // persistence cookie name (shown with legends)
	QueueCur   int64
	QueueMax   int64
	MaxConn    int // slim (fullconn)
	Active     int // usable active servers
	Backup     int // usable backup servers
	Weight     int // total effective weight of the usable servers
	UWeight    int // total user-set weight
	LastChange time.Time
	Downtime   time.Duration
	ChkDown    uint64 // UP→DOWN transitions
	LbTotal    uint64 // times a server was chosen
	LastSess   time.Time
	Connect    uint64 // connection attempts
	Reuse      uint64 // reused idle connections
	Rewrites   uint64
}

// Server is a server row.
type Server struct {
	Counters
	Timings
	Name string
	ID   int // HAProxy's sid: position in the backend, from 1
	// Status is HAProxy's word for the state: UP, DOWN, "UP 1/3" (going
	// down), "DOWN 1/2" (going up), NOLB, DRAIN, MAINT, "no check".
	Status     string
	Addr       string // shown with legends
	Cookie     string // persistence cookie value (shown with legends)
	Weight     int    // effective weight
	UWeight    int    // user-set weight
	Backup     bool
	MaxConn    int // slim; 0 means no limit (empty column)
	MaxQueue   int // qlimit; 0 means no limit
	QueueCur   int64
	QueueMax   int64
	LastChange time.Time
	Downtime   time.Duration
	ChkFail    uint64 // failed checks
	ChkDown    uint64 // UP→DOWN transitions
	LbTotal    uint64
	LastSess   time.Time // zero: never
	Connect    uint64
	Reuse      uint64
	IdleConns  int
	UsedConns  int
	Check      *Check // nil: the server is not checked
}

// Check is a server's last health check.
type Check struct {
	Status   string // HAProxy's code: L4OK, L4TOUT, L4CON, L7OK, L7OKC, L7STS, L7RSP, L7TOUT, INI, ...
	Code     int    // HTTP status of an L7 check; 0 when none
	Duration time.Duration
	Desc     string // check_desc; CheckDesc(Status) when empty
	Info     string // last_chk: the server's answer or the error text
	Rise     int
	Fall     int
	Health   int // HAProxy's health counter: 0..rise+fall-1, UP from rise on
}

// CheckDesc returns HAProxy's description of a check status code
// ("Layer7 check passed" for L7OK).
func CheckDesc(status string) string {
	switch status {
	case "UNK":
		return "Unknown"
	case "INI":
		return "Initializing"
	case "SOCKERR":
		return "Socket error"
	case "L4OK":
		return "Layer4 check passed"
	case "L4TOUT":
		return "Layer4 timeout"
	case "L4CON":
		return "Layer4 connection problem"
	case "L6OK":
		return "Layer6 check passed"
	case "L6TOUT":
		return "Layer6 timeout"
	case "L6RSP":
		return "Layer6 invalid response"
	case "L7OK":
		return "Layer7 check passed"
	case "L7OKC":
		return "Layer7 check conditionally passed"
	case "L7TOUT":
		return "Layer7 timeout"
	case "L7RSP":
		return "Layer7 invalid response"
	case "L7STS":
		return "Layer7 wrong status"
	}
	return ""
}
