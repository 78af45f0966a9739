package logfmt

import "strconv"

// AppendCLF appends the line of `option httplog clf`, HAProxy's httplog in
// the Common Log Format followed by HAProxy's own fields:
//
//	%{+Q}o %{-Q}ci - - [%trg] %r %ST %B "" "" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl
//
// (string fields quoted, the client address, numbers and the termination
// state not; the date in GMT, the accept milliseconds as three digits).
func (l *HTTPLog) AppendCLF(dst []byte) []byte {
	if l.Client.IsValid() {
		dst = l.Client.Addr().Unmap().AppendTo(dst)
	} else {
		dst = append(dst, '-')
	}
	dst = append(dst, ` - - [`...)
	dst = appendGMTDate(dst, l.Date)
	dst = append(dst, `] "`...)
	dst = appendRequestLine(dst, l.Method, l.URI, l.Version)
	dst = append(dst, `" `...)
	dst = appendStatus(dst, l.Status)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, l.BytesRead, 10)
	dst = append(dst, ` "" "" `...)
	dst = strconv.AppendUint(dst, uint64(l.Client.Port()), 10)
	dst = append(dst, ' ')
	ms := l.Date.Nanosecond() / 1e6
	dst = append(dst, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	dst = append(dst, ' ', '"')
	dst = appendFrontend(dst, l.Frontend, l.TLS)
	dst = append(dst, `" "`...)
	be := l.Backend
	if be == "" {
		be = l.Frontend
	}
	dst = append(dst, be...)
	dst = append(dst, `" "`...)
	if l.Server == "" {
		dst = append(dst, "<NOSRV>"...)
	} else {
		dst = append(dst, l.Server...)
	}
	dst = append(dst, `" `...)
	for _, v := range [...]int64{l.TR, l.Tw, l.Tc, l.Tr, l.Ta} {
		dst = appendTimer(dst, v)
		dst = append(dst, ' ')
	}
	dst = appendState(dst, l.TermState[:])
	dst = append(dst, ' ')
	dst = appendConns(dst, l.ActConn, l.FeConn, l.BeConn, l.SrvConn, l.Retries, l.Redispatched, ' ')
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(l.SrvQueue), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(l.BackendQueue), 10)
	dst = append(dst, ` "`...)
	dst = appendEscaped(dst, l.ReqCookie, &hdrEncode)
	dst = append(dst, `" "`...)
	dst = appendEscaped(dst, l.RespCookie, &hdrEncode)
	dst = append(dst, `" `...)
	// %hrl %hsl: each list is its captures, quoted and space-separated;
	// HAProxy skips a separator that would follow another one, so the
	// line ends with a space unless response headers were captured.
	dst = appendQuotedList(dst, l.ReqHeaders)
	if len(l.ReqHeaders) > 0 {
		dst = append(dst, ' ')
	}
	return appendQuotedList(dst, l.RespHeaders)
}

func appendQuotedList(dst []byte, hs []string) []byte {
	for i, h := range hs {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, '"')
		dst = appendEscaped(dst, h, &hdrEncode)
		dst = append(dst, '"')
	}
	return dst
}
