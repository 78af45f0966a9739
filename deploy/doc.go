// Package deploy holds no code: it is the folder of files an operator
// installs (systemd unit, example master/backup configurations, rsyslog and
// logrotate snippets, install.sh), and its tests check them: the unit
// passes systemd-analyze verify (systemd.service(5), systemd.exec(5)), the
// pair's files differ only where a VRRP pair must differ (RFC 5798 §5.2:
// priority; keepalived's initial state), the sysctl list matches package
// sysctl, rsyslog and logrotate accept their snippets, and install.sh
// stages a complete tree under DESTDIR.
package deploy
