package sysctl

import "haappliance/sysctl/sdnotify"

// NotifyReady tells systemd (Type=notify) that start-up or a reload is
// complete; without $NOTIFY_SOCKET it does nothing. See package sdnotify.
func NotifyReady() error { return sdnotify.FromEnv().Ready() }

// NotifyReloading tells systemd a reload started (RELOADING=1).
func NotifyReloading() error { return sdnotify.FromEnv().Reloading() }

// NotifyStopping tells systemd a graceful stop started (STOPPING=1).
func NotifyStopping() error { return sdnotify.FromEnv().Stopping() }

// NotifyStatus sets the line `systemctl status` shows.
func NotifyStatus(s string) error { return sdnotify.FromEnv().Status(s) }
