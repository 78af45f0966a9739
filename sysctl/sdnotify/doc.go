// Package sdnotify tells systemd about the daemon's state with the
// sd_notify(3) protocol: newline-separated VARIABLE=value assignments in one
// datagram sent to the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or an
// abstract name written with a leading '@'). A unit with Type=notify waits
// for READY=1; RELOADING=1 with MONOTONIC_USEC marks a reload (systemd.service(5),
// "Type=notify-reload"), STOPPING=1 a graceful stop and STATUS= a free-text
// line shown by `systemctl status`.
//
// It uses no library: the protocol is one sendto(2) per message.
package sdnotify
