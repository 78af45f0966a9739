package convert

import (
	"fmt"
	"sort"
)

// Actions of a ReportLine.
const (
	Mapped       = "mapped"       // carried over with the same meaning
	Approximated = "approximated" // carried over with a difference the note explains
	Ignored      = "ignored"      // not carried over; the note says why
)

// ReportLine says what became of one keyword of the input.
type ReportLine struct {
	File    string
	Line    int
	Keyword string
	Action  string // Mapped, Approximated or Ignored
	Note    string
}

// String renders the line as "FILE:LINE: keyword: action: note".
func (r ReportLine) String() string {
	if r.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s: %s", r.File, r.Line, r.Keyword, r.Action, r.Note)
	}
	return fmt.Sprintf("%s: %s: %s: %s", r.File, r.Keyword, r.Action, r.Note)
}

// reporter collects the report of one input file.
type reporter struct {
	file  string
	lines []ReportLine
}

func (r *reporter) add(line int, kw, action, format string, args ...any) {
	r.lines = append(r.lines, ReportLine{File: r.file, Line: line, Keyword: kw, Action: action, Note: fmt.Sprintf(format, args...)})
}

func (r *reporter) mapped(line int, kw, format string, args ...any) {
	r.add(line, kw, Mapped, format, args...)
}

func (r *reporter) approx(line int, kw, format string, args ...any) {
	r.add(line, kw, Approximated, format, args...)
}

func (r *reporter) ignored(line int, kw, format string, args ...any) {
	r.add(line, kw, Ignored, format, args...)
}

// sorted returns the lines ordered by line number, keeping the order of
// lines reported for the same input line.
func (r *reporter) sorted() []ReportLine {
	out := append([]ReportLine(nil), r.lines...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

// Summary counts the lines of a report by action.
func Summary(report []ReportLine) (mapped, approximated, ignored int) {
	for _, l := range report {
		switch l.Action {
		case Mapped:
			mapped++
		case Approximated:
			approximated++
		case Ignored:
			ignored++
		}
	}
	return
}
