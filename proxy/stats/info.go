package stats

import (
	"bufio"
	"fmt"
	"io"
	"time"
)

// WriteInfo writes the answer of `show info`: HAProxy 2.6's "Name: value"
// lines, in HAProxy's order, for the fields this process can fill.
func WriteInfo(w io.Writer, in *Info) error {
	bw := bufio.NewWriter(w)
	name := in.Name
	if name == "" {
		name = "haappliance"
	}
	up := in.Now.Sub(in.Start)
	if in.Start.IsZero() || up < 0 {
		up = 0
	}
	line := func(k string, v any) { fmt.Fprintf(bw, "%s: %v\n", k, v) }
	line("Name", name)
	line("Version", in.Version)
	if in.ReleaseDate != "" {
		line("Release_date", in.ReleaseDate)
	}
	line("Nbthread", in.Nbthread)
	line("Nbproc", 1)
	line("Process_num", 1)
	line("Pid", in.Pid)
	line("Uptime", Uptime(up))
	line("Uptime_sec", int64(up/time.Second))
	line("Ulimit-n", in.UlimitN)
	line("Maxsock", in.Maxsock)
	line("Maxconn", in.Maxconn)
	line("Hard_maxconn", in.HardMaxconn)
	line("CurrConns", in.CurrConns)
	line("CumConns", in.CumConns)
	line("CumReq", in.CumReq)
	line("ConnRate", in.ConnRate)
	line("ConnRateLimit", 0)
	line("MaxConnRate", in.MaxConnRate)
	line("SessRate", in.SessRate)
	line("SessRateLimit", 0)
	line("MaxSessRate", in.MaxSessRate)
	line("node", in.Node)
	if in.Description != "" {
		line("description", in.Description)
	}
	stopping := 0
	if in.Stopping {
		stopping = 1
	}
	line("Stopping", stopping)
	line("Jobs", in.Jobs)
	line("Listeners", in.Listeners)
	line("TotalBytesOut", in.BytesOut)
	if !in.Start.IsZero() {
		line("Start_time_sec", in.Start.Unix())
	}
	return bw.Flush()
}

// Uptime formats d as HAProxy's "0d 0h00m01s".
func Uptime(d time.Duration) string {
	s := int64(d / time.Second)
	return fmt.Sprintf("%dd %dh%02dm%02ds", s/86400, s/3600%24, s/60%60, s%60)
}
