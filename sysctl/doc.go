// Package sysctl prepares the host the way an HAProxy + keepalived operator
// does by hand (SPEC §8): it applies the recommended kernel settings, raises
// the open-file limit, drops root privileges after the sockets are open, and
// writes the pidfile.
//
// Kernel settings are files under /proc/sys (proc(5), "/proc/sys/net"; the
// names and the '.'/'/' rule of sysctl(8) from procps). The recommended set
// is the one of the HAProxy guide this project started from, plus
// net.ipv4.ip_nonlocal_bind so a backup can bind a virtual IP it does not
// hold yet (ip-sysctl.rst in the Linux documentation). Every write goes
// through FS, whose root is a folder, so tests use a temporary directory.
//
// A key missing on the running kernel is a warning, never a failure: 3.x
// kernels lack some keys, and a network namespace shows only the namespaced
// ones (net.ipv4.tcp_max_orphans is global and absent there).
//
// The open-file limit follows HAProxy: at least 2*maxconn+18
// (getrlimit(2)). Privileges follow capabilities(7): keep-caps across
// setuid(2), then the permitted, effective, inheritable and ambient sets are
// reduced to CAP_NET_ADMIN, CAP_NET_RAW and CAP_NET_BIND_SERVICE on every
// thread of the process, and the rest leaves the bounding set.
//
// The sibling package sdnotify speaks systemd's sd_notify(3) protocol.
package sysctl
