// Package checks runs server health checks the way HAProxy 2.6 does and keeps
// each server's health state machine.
//
// A check is a TCP connect (HAProxy's plain "check") or an HTTP request built
// from a backend's httpchk section ("option httpchk" with "http-check send"
// and "http-check expect status"). Each check ends with one of HAProxy's
// status codes (L4OK, L4TOUT, L4CON, L7OK, L7OKC, L7STS, L7RSP, L7TOUT,
// SOCKERR) together with the HTTP code, the reason phrase and the duration,
// as HAProxy's src/check.c reports them.
//
// The health state machine follows src/check.c set_server_check_status: a
// health counter runs from 0 to rise+fall-1; a server is DOWN at 0 and UP at
// rise or above; a failure decrements it and drops it to 0 as soon as it falls
// below rise, a success increments it and jumps to rise+fall-1 as soon as it
// reaches rise. A server starts UP with health = rise, exactly as HAProxy's
// server parser sets it ("up, but will fall down at first failure"), so a
// server that is dead at startup leaves the pool after its first check. Once
// it has passed a check, it needs `fall` consecutive failures to go DOWN, and
// `rise` consecutive successes to come back UP.
//
// Intervals follow the server keyword "inter" of HAProxy's configuration
// manual (section 5.2): "inter" while fully UP, "fastinter" while in
// transition or not yet checked, "downinter" while fully DOWN. The next check
// is scheduled from the end of the previous one, so exactly one check is in
// flight per server. The first checks of a pool are spread over the interval
// as src/check.c start_checks does (server i of n starts at inter*i/n).
//
// Timeouts follow "timeout check": without it, "inter" bounds the whole check
// (connect and response); with it, the connection must be established within
// min("timeout connect", "inter") and the response must arrive within
// "timeout check" after that.
//
// The package formats HAProxy's transition log lines (src/server.c
// srv_update_status and srv_append_status) as typed events:
// ServerTransition and BackendEmpty; their String methods are the stable
// alert lines of SPEC §9.1.
//
// For the VRRP tracker, FrontendProbe and BackendMinUp implement Probe.
//
// The package does not import proxy, vrrp or sysctl: cmd/haappliance feeds
// the Monitor's events to the proxy, which owns balancing and the counts of
// servers left.
package checks
