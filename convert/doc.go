// Package convert turns an operator's haproxy.cfg and keepalived.conf into
// one haappliance TOML file (SPEC §4) and a report of what carried over:
// every keyword mapped, every keyword approximated or ignored, each with
// its file and line.
//
// The haproxy side follows HAProxy 2.6's configuration manual
// (doc/configuration.txt: §2.2 quoting and escaping, §3 global, §4 proxies,
// §3.4 userlists); lines are cut into words by acl.Words, which implements
// that quoting. Rule expressions (acl, use_backend, http-request) stay in
// HAProxy's grammar inside TOML strings, re-quoted so that acl.Words gives
// back the same words.
//
// The keepalived side follows keepalived.conf(5) of keepalived 2.2.7:
// global_defs, vrrp_script, vrrp_instance and their blocks. A vrrp_script
// that only checks that haproxy runs (killall -0 haproxy, pidof haproxy,
// systemctl is-active haproxy) becomes a `frontend` track with the same
// weight: haappliance is the proxy, so it probes its own listener.
//
// Convert has no side effects; Main is the `haappliance convert` command.
package convert
