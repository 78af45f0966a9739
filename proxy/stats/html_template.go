package stats

import "html/template"

// pageTemplate is the stats page. Colours are HAProxy 2.6's.
var pageTemplate = template.Must(template.New("stats").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Statistics Report for {{with .Info.Name}}{{.}}{{else}}haappliance{{end}}</title>
<style>
body { font-family: arial, helvetica, sans-serif; font-size: 12px; color: black; background: white; }
th, td { font-size: 10px; }
h1 { font-size: x-large; margin-bottom: 0.5em; }
h3 { font-family: helvetica, arial; font-size: 16px; font-weight: bold; color: #b00040; background: #e8e8d0; margin: 0.5em 0 0; }
.titre { background: #20D0D0; color: #000000; font-weight: bold; text-align: center; }
.frontend { background: #e8e8d0; }
.backend { background: #e8e8d0; }
.active_down { background: #ff9090; }
.active_going_up { background: #ffd020; }
.active_going_down { background: #ffffa0; }
.active_up { background: #c0ffc0; }
.active_nolb { background: #20a0ff; }
.active_draining { background: #20a0FF; }
.active_no_check { background: #e0e0e0; }
.backup_down { background: #ff9090; }
.backup_going_up { background: #ff80ff; }
.backup_going_down { background: #c060ff; }
.backup_up { background: #b0d0ff; }
.backup_nolb { background: #90b0e0; }
.backup_draining { background: #cc9900; }
.backup_no_check { background: #e0e0e0; }
.maintain { background: #c07820; }
table.tbl { border-collapse: collapse; border-style: none; margin-top: 1em; }
table.tbl td { text-align: right; border: 1px solid gray; padding: 2px 3px; white-space: nowrap; }
table.tbl td.ac, table.tbl td.name { text-align: left; }
table.tbl th { border: 1px solid gray; }
table.tbl th.pxname { background: #b00040; color: #ffff40; font-weight: bold; padding: 2px 3px; white-space: nowrap; text-align: left; }
table.lgd { border-collapse: collapse; }
table.lgd td { border: 1px solid gray; padding: 2px; }
table.lgd td.noborder { border-style: none; white-space: nowrap; }
.msg { border: 1px solid #7040c0; background: #f0f060; padding: 4px; margin: 0.5em 0; display: inline-block; }
@media (prefers-color-scheme: dark) {
 body { color: #e8e6e3; background: #131516; }
 .frontend, .backend { background: #2f3437; }
 .active_up { background: #165900; } .active_down, .backup_down { background: #760000; }
 .active_going_up { background: #b99200; } .active_going_down { background: #6c6c00; }
 .active_draining, .active_nolb { background: #006ab9; } .maintain { background: #7a4a00; }
 .active_no_check, .backup_no_check { background: #2a2d2f; } .backup_up { background: #003d78; }
}
</style></head>
<body>
<h1>{{with .Info.Name}}{{.}}{{else}}haappliance{{end}}{{if not .Opts.HideVersion}} version {{.Info.Version}}{{end}}</h1>
<h3>&gt; General process information</h3>
<table class="lgd"><tr><td class="noborder">
<p>pid = {{.Info.Pid}}<br>
uptime = {{.Uptime}}<br>
maxconn = {{.Info.Maxconn}}; current conns = {{.Info.CurrConns}}; cumulated conns = {{.Info.CumConns}}; cumulated requests = {{.Info.CumReq}}<br>
{{if .Opts.Refresh}}refresh = {{.Opts.Refresh}}{{end}}</p>
</td><td class="noborder">
<table class="lgd"><tr>{{range $i, $c := .Classes}}{{if eq $i 6}}</tr><tr>{{end}}<td class="{{$c}}">&nbsp;</td><td class="noborder">{{$c}}</td>{{end}}</tr></table>
</td></tr></table>
{{with .Opts.Message}}<div class="msg">{{.}}</div>{{end}}
{{range .Proxies}}{{$px := .}}
{{if and $.Opts.Admin .Backend}}<form method="post" action="{{$.Opts.URI}}">{{end}}
<table class="tbl" id="px-{{.Name}}">
<tr><th class="pxname" colspan="{{if $.Opts.Admin}}33{{else}}32{{end}}">{{.Name}} <span>({{.Mode}})</span></th></tr>
<tr class="titre">{{if $.Opts.Admin}}<th rowspan="2"></th>{{end}}<th rowspan="2"></th>
<th colspan="3">Queue</th><th colspan="4">Sessions</th><th colspan="2">Bytes</th><th colspan="2">Denied</th>
<th colspan="3">Errors</th><th colspan="2">Warnings</th><th colspan="6">Responses</th><th colspan="9">Server</th></tr>
<tr class="titre"><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th><th>Limit</th><th>Total</th>
<th>In</th><th>Out</th><th>Req</th><th>Resp</th><th>Req</th><th>Conn</th><th>Resp</th><th>Retr</th><th>Redis</th>
<th>1xx</th><th>2xx</th><th>3xx</th><th>4xx</th><th>5xx</th><th>other</th>
<th>Status</th><th>LastChk</th><th>Wght</th><th>Act</th><th>Bck</th><th>Chk</th><th>Dwn</th><th>Dwntme</th><th></th></tr>
{{range .Rows}}<tr class="{{.Class}}" data-name="{{.Name}}">
{{if $.Opts.Admin}}<td>{{if .Checkbox}}<input type="checkbox" name="s" value="{{.Name}}">{{end}}</td>{{end}}
<td class="name">{{.Name}}</td>
<td>{{.QCur}}</td><td>{{.QMax}}</td><td>{{.QLim}}</td>
<td>{{.SCur}}</td><td>{{.SMax}}</td><td>{{.SLim}}</td><td>{{.STot}}</td>
<td>{{.BIn}}</td><td>{{.BOut}}</td><td>{{.DReq}}</td><td>{{.DResp}}</td>
<td>{{.EReq}}</td><td>{{.EConn}}</td><td>{{.EResp}}</td><td>{{.Retr}}</td><td>{{.Redis}}</td>
{{range .Rsp}}<td>{{.}}</td>{{end}}
<td class="ac {{.StatusClass}}">{{.Status}}</td><td class="ac">{{.LastChk}}</td>
<td>{{.Weight}}</td><td>{{.Act}}</td><td>{{.Bck}}</td><td>{{.Chk}}</td><td>{{.Dwn}}</td><td>{{.Dwntime}}</td><td></td></tr>
{{end}}</table>
{{if and $.Opts.Admin .Backend}}
<p>Choose the action to perform on the checked servers:
<select name="action"><option value="">Choose an action</option><option value="ready">Set state to READY</option>
<option value="drain">Set state to DRAIN</option><option value="maint">Set state to MAINT</option></select>
<input type="hidden" name="b" value="{{$px.Name}}"><input type="submit" value="Apply"></p>
</form>{{end}}
{{end}}
</body></html>
`))
