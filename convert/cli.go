package convert

import (
	"flag"
	"fmt"
	"io"
	"os"
)

const usage = `usage: haappliance convert [--no-sysctl] [--control-socket PATH] HAPROXY_CFG [KEEPALIVED_CONF]

Prints the equivalent haappliance configuration (TOML) on stdout and, on
stderr, one line per keyword of the inputs: FILE:LINE: keyword: action: note,
where action is mapped, approximated or ignored.
`

// Main is the `haappliance convert` command: args are the words after
// "convert". It returns the exit code: 0 when converted, 1 when an input
// could not be read or parsed, 2 on a usage error.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	var o Options
	fs.BoolVar(&o.NoSysctl, "no-sysctl", false, "write [sysctl] apply = false")
	fs.StringVar(&o.ControlSocket, "control-socket", "", "control socket path (default: from 'stats socket', else haappliance's)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		fs.Usage()
		return 2
	}
	hName := fs.Arg(0)
	hSrc, err := os.ReadFile(hName)
	if err != nil {
		fmt.Fprintf(stderr, "haappliance convert: %v\n", err)
		return 1
	}
	var kName string
	var kSrc []byte
	if fs.NArg() == 2 {
		kName = fs.Arg(1)
		if kSrc, err = os.ReadFile(kName); err != nil {
			fmt.Fprintf(stderr, "haappliance convert: %v\n", err)
			return 1
		}
		if kSrc == nil {
			kSrc = []byte{}
		}
	}
	out, report, err := o.Convert(hName, hSrc, kName, kSrc)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintf(stderr, "haappliance convert: %v\n", err)
		return 1
	}
	for _, l := range report {
		fmt.Fprintln(stderr, l)
	}
	m, a, i := Summary(report)
	fmt.Fprintf(stderr, "%d mapped, %d approximated, %d ignored\n", m, a, i)
	return 0
}
