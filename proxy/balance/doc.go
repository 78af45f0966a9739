// Package balance implements HAProxy 2.6's load-balancing algorithms for
// L4 and L7 backends alike: one Selector with a single Pick method over a
// protocol-neutral Key.
//
// Reference: the HAProxy 2.6 Configuration Manual, keywords "balance",
// "hash-type", "weight", "backup" and "option allbackups"; and HAProxy's
// sources for the exact behaviour the manual leaves out (src/backend.c,
// lb_map.c, lb_chash.c, lb_fwlc.c, lb_fas.c, hash.c).
//
// # Algorithms
//
//	roundrobin   smooth weighted round robin; weights may change at run time
//	static-rr    the same rotation; HAProxy only allows weights 0% and 100%
//	leastconn    fewest Active()/Weight(); round robin among equals
//	first        first server in declaration order below its maxconn
//	source       hash of the client address
//	uri          hash of the request URI up to '?' (options whole, len,
//	             depth, path-only, as HAProxy)
//	url_param N  hash of the value of query parameter N (check_post: or in
//	             the POST body)
//	hdr(N)       hash of the first value of header N (use_domain_only)
//	random(D)    weighted random, best of D draws (default 2)
//
// The hashing algorithms use hash_type "map-based" (default: the hash
// modulo a table where each server appears weight/GCD times, HAProxy's
// exact table) or "consistent" (HAProxy's ring: weight*16 points per
// server); the hash function is sdbm by default, or djb2, wt6, crc32, with
// the optional "avalanche" modifier. source hashes the address words folded
// with XOR, as HAProxy does, not through the function. When the hash input
// is absent (no such parameter or header, no client address, or a TCP
// backend for uri), the pick falls back to round robin, as HAProxy does.
//
// # Rules shared by all algorithms
//
// A server takes new traffic when Usable() and Weight() > 0. Backup servers
// take traffic only when no active server does: the first usable backup in
// declaration order, or all usable backups (weighted) with allbackups.
//
// A server at its maxconn (Full) is skipped by roundrobin, static-rr,
// leastconn, first and random; when every usable server is full, Pick
// returns ErrAllFull and the engine queues the request in the backend queue
// (for first, roundrobin and static-rr, HAProxy also queues a request while
// the backend queue is not empty, which is the engine's check to make). The
// hashing algorithms return their server even when it is full: the engine
// queues the request on that server, keeping the affinity. ErrNoServer means
// no server is usable: 503.
//
// # State and concurrency
//
// The engine owns server state. The Balancer samples Usable, Weight and
// Backup at New and at every Update, which the engine calls after each
// change (a no-op when nothing changed); Pick reads Active and Full live.
// Pick is lock-free and allocation-free: it reads an immutable snapshot via
// an atomic pointer, and the rotations use one atomic cursor.
package balance
