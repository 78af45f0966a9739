package stats

import (
	"bufio"
	"io"
	"math"
	"strconv"
	"strings"
)

// family is one metric family of the Prometheus text exposition format.
type family struct {
	name, help, typ string // typ: "gauge" or "counter"
	samples         []sample
}

type sample struct {
	labels []string // name, value, name, value...
	value  float64
}

// families accumulates families in order.
type families struct {
	list  []*family
	index map[string]*family
}

func (fs *families) add(name, help, typ string, v float64, labels ...string) {
	if fs.index == nil {
		fs.index = map[string]*family{}
	}
	f := fs.index[name]
	if f == nil {
		f = &family{name: name, help: help, typ: typ}
		fs.index[name] = f
		fs.list = append(fs.list, f)
	}
	f.samples = append(f.samples, sample{labels: labels, value: v})
}

func (fs *families) gauge(name, help string, v float64, labels ...string) {
	fs.add(name, help, "gauge", v, labels...)
}

func (fs *families) counter(name, help string, v float64, labels ...string) {
	fs.add(name, help, "counter", v, labels...)
}

// writeText writes the families in the text exposition format 0.0.4.
func writeText(w io.Writer, list []*family) error {
	bw := bufio.NewWriter(w)
	var buf []byte
	for _, f := range list {
		buf = append(buf[:0], "# HELP "...)
		buf = append(buf, f.name...)
		buf = append(buf, ' ')
		buf = appendEscapedHelp(buf, f.help)
		buf = append(buf, "\n# TYPE "...)
		buf = append(buf, f.name...)
		buf = append(buf, ' ')
		buf = append(buf, f.typ...)
		buf = append(buf, '\n')
		for _, s := range f.samples {
			buf = append(buf, f.name...)
			if len(s.labels) > 0 {
				buf = append(buf, '{')
				for i := 0; i+1 < len(s.labels); i += 2 {
					if i > 0 {
						buf = append(buf, ',')
					}
					buf = append(buf, s.labels[i]...)
					buf = append(buf, '=', '"')
					buf = appendEscapedLabel(buf, s.labels[i+1])
					buf = append(buf, '"')
				}
				buf = append(buf, '}')
			}
			buf = append(buf, ' ')
			buf = appendFloat(buf, s.value)
			buf = append(buf, '\n')
		}
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func appendFloat(dst []byte, v float64) []byte {
	switch {
	case math.IsInf(v, 1):
		return append(dst, "+Inf"...)
	case math.IsInf(v, -1):
		return append(dst, "-Inf"...)
	case math.IsNaN(v):
		return append(dst, "NaN"...)
	}
	return strconv.AppendFloat(dst, v, 'g', -1, 64)
}

// appendEscapedLabel escapes a label value: backslash, double quote and
// line feed.
func appendEscapedLabel(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '"':
			dst = append(dst, '\\', '"')
		case '\n':
			dst = append(dst, '\\', 'n')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendEscapedHelp escapes a HELP text: backslash and line feed.
func appendEscapedHelp(dst []byte, s string) []byte {
	return append(dst, strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)...)
}

// codeLabels are the code label values of the responses by class.
var codeLabels = [6]string{"1xx", "2xx", "3xx", "4xx", "5xx", "other"}
