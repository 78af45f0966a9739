package proxy

import "time"

// RequestLog holds what HAProxy's httplog line needs for one request. The
// engine fills it as the request goes; the observability work turns it into
// the log line (see TODO in logRequest).
type RequestLog struct {
	Accept    time.Time // accept date of the connection (first request) or end of the previous one
	Client    string    // client ip:port
	Frontend  string
	Backend   string
	Server    string        // "<NOSRV>" when none was reached
	Tq        time.Duration // time to receive the full request head (-1: never)
	Tw        time.Duration // time waiting in queues
	Tc        time.Duration // time to connect to the server
	Tr        time.Duration // server response time (head)
	Ta        time.Duration // total active time
	Status    int
	BytesRead int64 // bytes sent to the client (HAProxy's bytes_read)
	Retries   int
	Redisp    bool
	// Term is HAProxy's two-character termination state: the first
	// character is who ended the session ('-' normal, 'C' client, 'S'
	// server, 'P' proxy, 'R' resource), the second the phase ('-' normal,
	// 'R' request, 'Q' queue, 'C' connect, 'H' headers, 'D' data, 'T'
	// tunnel).
	Term     [2]byte
	Method   string
	URI      string
	Requeued bool
}

// Termination codes.
const (
	termNone   = '-'
	termClient = 'C'
	termServer = 'S'
	termProxy  = 'P'
	termRes    = 'R'

	phaseNone    = '-'
	phaseRequest = 'R'
	phaseQueue   = 'Q'
	phaseConnect = 'C'
	phaseHeaders = 'H'
	phaseData    = 'D'
	phaseTunnel  = 'T'
)

// logRequest emits the request log line.
//
// TODO(observability issue): format HAProxy's httplog line from l and send
// it at info level through p.log; the record above is complete for it.
func (p *Proxy) logRequest(l *RequestLog) {
	if p.onRequest != nil {
		p.onRequest(l)
	}
}
