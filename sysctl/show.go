package sysctl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
)

// Status compares a key's current value with the wanted one, for
// `haappliance sysctl` without --apply.
type Status string

// Statuses of a Row.
const (
	Same       Status = "same"
	Differs    Status = "differs"
	Absent     Status = "missing"
	Unreadable Status = "unreadable"
)

// Row is one line of the `haappliance sysctl` table.
type Row struct {
	Key     string
	Current string // normalised; "-" when missing or unreadable
	Wanted  string
	Source  string
	Status  Status
	Err     error // why Unreadable
}

// Inspect reads every setting without writing anything.
func Inspect(s Store, settings []Setting) []Row {
	rows := make([]Row, 0, len(settings))
	for _, st := range settings {
		r := Row{Key: st.Key, Wanted: Normalize(st.Value), Source: st.Source, Current: "-"}
		cur, err := s.Read(st.Key)
		switch {
		case errors.Is(err, os.ErrNotExist):
			r.Status = Absent
		case err != nil:
			r.Status, r.Err = Unreadable, err
		default:
			r.Current = Normalize(cur)
			r.Status = Differs
			if r.Current == r.Wanted {
				r.Status = Same
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// Show prints rows as an aligned table with a header: KEY CURRENT WANTED
// STATE, and "(sysctl.set)" after values that come from the configuration.
func Show(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tCURRENT\tWANTED\tSTATE")
	for _, r := range rows {
		wanted := r.Wanted
		if r.Source == SourceSet {
			wanted += " (sysctl.set)"
		}
		state := string(r.Status)
		if r.Err != nil {
			state += ": " + r.Err.Error()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Key, r.Current, wanted, state)
	}
	return tw.Flush()
}

// ShowOutcomes prints what Apply did, in the same layout as Show, with the
// value before under CURRENT: used by `haappliance sysctl --apply`.
func ShowOutcomes(w io.Writer, outs []Outcome) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tWAS\tWANTED\tSTATE")
	for _, o := range outs {
		was := o.Was
		if was == "" {
			was = "-"
		}
		wanted := o.Wanted
		if o.Source == SourceSet {
			wanted += " (sysctl.set)"
		}
		state := string(o.State)
		if o.State == Failed && o.Err != nil {
			state += ": " + o.Err.Error()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Key, was, wanted, state)
	}
	return tw.Flush()
}
