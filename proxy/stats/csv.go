package stats

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// Options change what WriteCSV and WriteJSON write.
type Options struct {
	// Legends fills the addr, cookie and algo columns, as HAProxy does on
	// the CLI (`show stat`) and on a stats page with `stats show-legends`;
	// the stats page leaves them empty otherwise.
	Legends bool
}

// CSVHeader returns HAProxy 2.6's CSV header line, "# pxname,svname,...,",
// without the newline.
func CSVHeader() string {
	var b strings.Builder
	b.WriteString("# ")
	for f := 0; f < numFields; f++ {
		if f == moduleBase {
			b.WriteString("-,")
		}
		b.WriteString(fieldTable[f].name)
		b.WriteByte(',')
	}
	return b.String()
}

// WriteCSV writes snap as HAProxy's `show stat` CSV: the header and one
// line per row, each ending with a comma as HAProxy's do. As on HAProxy's
// stats page, no empty line follows; the control socket adds the empty line
// that ends every CLI answer.
func WriteCSV(w io.Writer, snap *Snapshot, o Options) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(CSVHeader())
	bw.WriteByte('\n')
	var buf []byte
	for _, r := range rows(snap, rowOpts{legends: o.Legends}) {
		buf = appendCSVRow(buf[:0], &r)
		bw.Write(buf)
	}
	return bw.Flush()
}

func appendCSVRow(dst []byte, r *row) []byte {
	for f := 0; f < numFields; f++ {
		if f == moduleBase {
			dst = append(dst, '-', ',')
		}
		dst = appendCSVValue(dst, r.v[f])
		dst = append(dst, ',')
	}
	return append(dst, '\n')
}

func appendCSVValue(dst []byte, v value) []byte {
	switch v.kind {
	case vUint:
		return strconv.AppendUint(dst, v.u, 10)
	case vInt:
		return strconv.AppendInt(dst, v.i, 10)
	case vStr:
		return appendCSVString(dst, v.s)
	}
	return dst
}

// appendCSVString writes s as HAProxy's csv_enc does: quoted, with inner
// quotes doubled, when it holds a comma, a quote, a CR or LF, or
// surrounding spaces.
func appendCSVString(dst []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") && strings.TrimSpace(s) == s {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}
