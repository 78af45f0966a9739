// Package config holds the pieces every section of the haappliance TOML file
// shares: the Duration type (a string with a unit, or a bare integer meaning
// milliseconds, as in HAProxy), the Problem type that Validate methods return
// with a key path, and the Locator that maps a key path back to the line of
// the file it came from, so `haappliance check` can print FILE:LINE: lines.
//
// Each product package (proxy, vrrp, checks, sysctl) owns its own Config
// struct; this package knows none of them.
package config
