// Command haappliance runs an HTTP/TCP load-balancing proxy and a VRRP
// speaker in one process, so two Linux hosts form a highly available pair.
// See docs/ for the operator guide and SPEC-level contract.
package main

import (
	"fmt"
	"io"
	"os"

	"haappliance/convert"
)

const usage = `usage: haappliance COMMAND [ARGS]

commands:
  run [-c FILE] [--no-sysctl]        run the daemon in the foreground
  check -c FILE                      validate a configuration file
  status [-S SOCKET] [--json]        show VIP ownership and proxy health
  admin [-S SOCKET] COMMAND...       send one runtime-API command
  sysctl [-c FILE] [--apply]         show (or apply) the recommended kernel settings
  demo                               run the seed scenario on loopback
  demo --pair                        as root: a master/backup pair in namespaces, a takeover timed
  convert [--no-sysctl] [--control-socket PATH] HAPROXY_CFG [KEEPALIVED_CONF]
                                     translate haproxy.cfg / keepalived.conf to TOML
  version                            print the version
`

// DefaultConfig is where run, check and sysctl look without -c.
const DefaultConfig = "/etc/haappliance/haappliance.toml"

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

// realMain dispatches a subcommand and returns the exit code.
func realMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmds := map[string]func([]string, io.Writer, io.Writer) int{
		"run":     cmdRun,
		"check":   cmdCheck,
		"status":  cmdStatus,
		"admin":   cmdAdmin,
		"sysctl":  cmdSysctl,
		"demo":    cmdDemo,
		"version": cmdVersion,
		"convert": convert.Main,
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	case "-v", "--version":
		return cmdVersion(nil, stdout, stderr)
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "haappliance: unknown command %q\n%s", args[0], usage)
		return 2
	}
	return cmd(args[1:], stdout, stderr)
}
