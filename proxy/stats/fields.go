package stats

// The columns of HAProxy 2.6's `show stat` (and `;csv`, `;json`), in
// HAProxy's order. Positions are HAProxy's field numbers (the "pos" of
// `show stat json`). After the last general column, HAProxy prints a "-"
// column and then the columns of its statistics modules (SSL, HTTP/2,
// HTTP/1), which continue the numbering.
const (
	fPxname                       = iota // pxname
	fSvname                              // svname
	fQcur                                // qcur
	fQmax                                // qmax
	fScur                                // scur
	fSmax                                // smax
	fSlim                                // slim
	fStot                                // stot
	fBin                                 // bin
	fBout                                // bout
	fDreq                                // dreq
	fDresp                               // dresp
	fEreq                                // ereq
	fEcon                                // econ
	fEresp                               // eresp
	fWretr                               // wretr
	fWredis                              // wredis
	fStatus                              // status
	fWeight                              // weight
	fAct                                 // act
	fBck                                 // bck
	fChkfail                             // chkfail
	fChkdown                             // chkdown
	fLastchg                             // lastchg
	fDowntime                            // downtime
	fQlimit                              // qlimit
	fPid                                 // pid
	fIid                                 // iid
	fSid                                 // sid
	fThrottle                            // throttle
	fLbtot                               // lbtot
	fTracked                             // tracked
	fType                                // type
	fRate                                // rate
	fRateLim                             // rate_lim
	fRateMax                             // rate_max
	fCheckStatus                         // check_status
	fCheckCode                           // check_code
	fCheckDuration                       // check_duration
	fHrsp1xx                             // hrsp_1xx
	fHrsp2xx                             // hrsp_2xx
	fHrsp3xx                             // hrsp_3xx
	fHrsp4xx                             // hrsp_4xx
	fHrsp5xx                             // hrsp_5xx
	fHrspOther                           // hrsp_other
	fHanafail                            // hanafail
	fReqRate                             // req_rate
	fReqRateMax                          // req_rate_max
	fReqTot                              // req_tot
	fCliAbrt                             // cli_abrt
	fSrvAbrt                             // srv_abrt
	fCompIn                              // comp_in
	fCompOut                             // comp_out
	fCompByp                             // comp_byp
	fCompRsp                             // comp_rsp
	fLastsess                            // lastsess
	fLastChk                             // last_chk
	fLastAgt                             // last_agt
	fQtime                               // qtime
	fCtime                               // ctime
	fRtime                               // rtime
	fTtime                               // ttime
	fAgentStatus                         // agent_status
	fAgentCode                           // agent_code
	fAgentDuration                       // agent_duration
	fCheckDesc                           // check_desc
	fAgentDesc                           // agent_desc
	fCheckRise                           // check_rise
	fCheckFall                           // check_fall
	fCheckHealth                         // check_health
	fAgentRise                           // agent_rise
	fAgentFall                           // agent_fall
	fAgentHealth                         // agent_health
	fAddr                                // addr
	fCookie                              // cookie
	fMode                                // mode
	fAlgo                                // algo
	fConnRate                            // conn_rate
	fConnRateMax                         // conn_rate_max
	fConnTot                             // conn_tot
	fIntercepted                         // intercepted
	fDcon                                // dcon
	fDses                                // dses
	fWrew                                // wrew
	fConnect                             // connect
	fReuse                               // reuse
	fCacheLookups                        // cache_lookups
	fCacheHits                           // cache_hits
	fSrvIcur                             // srv_icur
	fSrcIlim                             // src_ilim
	fQtimeMax                            // qtime_max
	fCtimeMax                            // ctime_max
	fRtimeMax                            // rtime_max
	fTtimeMax                            // ttime_max
	fEint                                // eint
	fIdleConnCur                         // idle_conn_cur
	fSafeConnCur                         // safe_conn_cur
	fUsedConnCur                         // used_conn_cur
	fNeedConnEst                         // need_conn_est
	fUweight                             // uweight
	fAggServerStatus                     // agg_server_status
	fAggServerCheckStatus                // agg_server_check_status
	fAggCheckStatus                      // agg_check_status
	fSslSess                             // ssl_sess
	fSslReusedSess                       // ssl_reused_sess
	fSslFailedHandshake                  // ssl_failed_handshake
	fH2HeadersRcvd                       // h2_headers_rcvd
	fH2DataRcvd                          // h2_data_rcvd
	fH2SettingsRcvd                      // h2_settings_rcvd
	fH2RstStreamRcvd                     // h2_rst_stream_rcvd
	fH2GoawayRcvd                        // h2_goaway_rcvd
	fH2DetectedConnProtocolErrors        // h2_detected_conn_protocol_errors
	fH2DetectedStrmProtocolErrors        // h2_detected_strm_protocol_errors
	fH2RstStreamResp                     // h2_rst_stream_resp
	fH2GoawayResp                        // h2_goaway_resp
	fH2OpenConnections                   // h2_open_connections
	fH2BackendOpenStreams                // h2_backend_open_streams
	fH2TotalConnections                  // h2_total_connections
	fH2BackendTotalStreams               // h2_backend_total_streams
	fH1OpenConnections                   // h1_open_connections
	fH1OpenStreams                       // h1_open_streams
	fH1TotalConnections                  // h1_total_connections
	fH1TotalStreams                      // h1_total_streams
	fH1BytesIn                           // h1_bytes_in
	fH1BytesOut                          // h1_bytes_out
	fH1SplicedBytesIn                    // h1_spliced_bytes_in
	fH1SplicedBytesOut                   // h1_spliced_bytes_out

	numFields             // number of fields
	moduleBase = fSslSess // the first module column; "-" is printed before it
)

// fieldMeta is a column's name, its tags as `show stat typed` writes them
// (origin, nature, scope) and its type.
type fieldMeta struct {
	name string
	tags string
	typ  string
}

// fieldTable was taken from haproxy 2.6.12's `show stat typed`
// (testdata/haproxy26-stats.cfg). Backends tag act, bck, rate and
// rate_max differently; see tagsFor.
var fieldTable = [numFields]fieldMeta{
	{"pxname", "KNS", "str"},
	{"svname", "KNS", "str"},
	{"qcur", "MGP", "u32"},
	{"qmax", "MMP", "u32"},
	{"scur", "MGP", "u32"},
	{"smax", "MMP", "u32"},
	{"slim", "CLP", "u32"},
	{"stot", "MCP", "u64"},
	{"bin", "MCP", "u64"},
	{"bout", "MCP", "u64"},
	{"dreq", "MCP", "u64"},
	{"dresp", "MCP", "u64"},
	{"ereq", "MCP", "u64"},
	{"econ", "MCP", "u64"},
	{"eresp", "MCP", "u64"},
	{"wretr", "MCP", "u64"},
	{"wredis", "MCP", "u64"},
	{"status", "SGP", "str"},
	{"weight", "MaP", "u32"},
	{"act", "SGP", "u32"},
	{"bck", "SGP", "u32"},
	{"chkfail", "MCP", "u64"},
	{"chkdown", "MCP", "u64"},
	{"lastchg", "MAP", "u32"},
	{"downtime", "MCP", "u32"},
	{"qlimit", "CLP", "u32"},
	{"pid", "KGP", "u32"},
	{"iid", "KGS", "u32"},
	{"sid", "KGS", "u32"},
	{"throttle", "MAP", "u32"},
	{"lbtot", "MCP", "u64"},
	{"tracked", "CNS", "str"},
	{"type", "CGS", "u32"},
	{"rate", "MRP", "u32"},
	{"rate_lim", "CLP", "u32"},
	{"rate_max", "MMP", "u32"},
	{"check_status", "MOP", "str"},
	{"check_code", "MOP", "u32"},
	{"check_duration", "MDP", "u64"},
	{"hrsp_1xx", "MCP", "u64"},
	{"hrsp_2xx", "MCP", "u64"},
	{"hrsp_3xx", "MCP", "u64"},
	{"hrsp_4xx", "MCP", "u64"},
	{"hrsp_5xx", "MCP", "u64"},
	{"hrsp_other", "MCP", "u64"},
	{"hanafail", "MCP", "u64"},
	{"req_rate", "MRP", "u32"},
	{"req_rate_max", "MMP", "u32"},
	{"req_tot", "MCP", "u64"},
	{"cli_abrt", "MCP", "u64"},
	{"srv_abrt", "MCP", "u64"},
	{"comp_in", "MCP", "u64"},
	{"comp_out", "MCP", "u64"},
	{"comp_byp", "MCP", "u64"},
	{"comp_rsp", "MCP", "u64"},
	{"lastsess", "MAP", "s32"},
	{"last_chk", "MOP", "str"},
	{"last_agt", "MOP", "str"},
	{"qtime", "MaP", "u32"},
	{"ctime", "MaP", "u32"},
	{"rtime", "MaP", "u32"},
	{"ttime", "MaP", "u32"},
	{"agent_status", "MOP", "str"},
	{"agent_code", "MOP", "u32"},
	{"agent_duration", "MDP", "u64"},
	{"check_desc", "MOP", "str"},
	{"agent_desc", "MOP", "str"},
	{"check_rise", "CGS", "u32"},
	{"check_fall", "CGS", "u32"},
	{"check_health", "CGS", "u32"},
	{"agent_rise", "CGS", "u32"},
	{"agent_fall", "CGS", "u32"},
	{"agent_health", "CGS", "u32"},
	{"addr", "CGS", "str"},
	{"cookie", "CNS", "str"},
	{"mode", "CGS", "str"},
	{"algo", "CGS", "str"},
	{"conn_rate", "MRP", "u32"},
	{"conn_rate_max", "MMP", "u32"},
	{"conn_tot", "MCP", "u64"},
	{"intercepted", "MCP", "u64"},
	{"dcon", "MCP", "u64"},
	{"dses", "MCP", "u64"},
	{"wrew", "MCP", "u64"},
	{"connect", "MCP", "u64"},
	{"reuse", "MCP", "u64"},
	{"cache_lookups", "MCP", "u64"},
	{"cache_hits", "MCP", "u64"},
	{"srv_icur", "MGP", "u32"},
	{"src_ilim", "MGP", "u32"},
	{"qtime_max", "MMP", "u32"},
	{"ctime_max", "MMP", "u32"},
	{"rtime_max", "MMP", "u32"},
	{"ttime_max", "MMP", "u32"},
	{"eint", "MCP", "u64"},
	{"idle_conn_cur", "MGP", "u32"},
	{"safe_conn_cur", "MGP", "u32"},
	{"used_conn_cur", "MGP", "u32"},
	{"need_conn_est", "MGP", "u32"},
	{"uweight", "MaP", "u32"},
	{"agg_server_status", "MGP", "u32"},
	{"agg_server_check_status", "MGP", "u32"},
	{"agg_check_status", "MGP", "u32"},
	{"ssl_sess", "MCP", "u64"},
	{"ssl_reused_sess", "MCP", "u64"},
	{"ssl_failed_handshake", "MCP", "u64"},
	{"h2_headers_rcvd", "MCP", "u64"},
	{"h2_data_rcvd", "MCP", "u64"},
	{"h2_settings_rcvd", "MCP", "u64"},
	{"h2_rst_stream_rcvd", "MCP", "u64"},
	{"h2_goaway_rcvd", "MCP", "u64"},
	{"h2_detected_conn_protocol_errors", "MCP", "u64"},
	{"h2_detected_strm_protocol_errors", "MCP", "u64"},
	{"h2_rst_stream_resp", "MCP", "u64"},
	{"h2_goaway_resp", "MCP", "u64"},
	{"h2_open_connections", "MGP", "u64"},
	{"h2_backend_open_streams", "MGP", "u64"},
	{"h2_total_connections", "MCP", "u64"},
	{"h2_backend_total_streams", "MCP", "u64"},
	{"h1_open_connections", "MGP", "u64"},
	{"h1_open_streams", "MGP", "u64"},
	{"h1_total_connections", "MCP", "u64"},
	{"h1_total_streams", "MCP", "u64"},
	{"h1_bytes_in", "MCP", "u64"},
	{"h1_bytes_out", "MCP", "u64"},
	{"h1_spliced_bytes_in", "MCP", "u64"},
	{"h1_spliced_bytes_out", "MCP", "u64"},
}

// tagsFor returns the tags HAProxy gives field f in a row of type obj.
func tagsFor(obj byte, f int) string {
	if obj == 'B' {
		switch f {
		case fAct, fBck, fRate, fRateMax:
			return "MGP"
		}
	}
	return fieldTable[f].tags
}
