package stats

import (
	"encoding/json"
	"io"
)

// The structure of HAProxy 2.6's `show stat json` (and the stats page's
// `;json`): an array of rows, each an array of the row's non-empty fields
// with their position, tags and type.
type jsonField struct {
	ObjType    string    `json:"objType"`
	ProxyID    int       `json:"proxyId"`
	ID         int       `json:"id"`
	Field      jsonPos   `json:"field"`
	ProcessNum int       `json:"processNum"`
	Tags       jsonTags  `json:"tags"`
	Value      jsonValue `json:"value"`
}

type jsonPos struct {
	Pos  int    `json:"pos"`
	Name string `json:"name"`
}

type jsonTags struct {
	Origin string `json:"origin"`
	Nature string `json:"nature"`
	Scope  string `json:"scope"`
}

type jsonValue struct {
	Type  string `json:"type"`
	Value any    `json:"value"`
}

var (
	objTypes = map[byte]string{'F': "Frontend", 'B': "Backend", 'S': "Server"}
	origins  = map[byte]string{'K': "Key", 'C': "Config", 'P': "Product", 'M': "Metric", 'S': "Status"}
	natures  = map[byte]string{'N': "Name", 'G': "Gauge", 'L': "Limit", 'M': "Max", 'R': "Rate", 'C': "Counter",
		'D': "Duration", 'A': "Age", 'T': "Time", 'O': "Output", 'a': "Avg"}
	scopes = map[byte]string{'P': "Process", 'S': "Service", 's': "System", 'C': "Cluster"}
)

// WriteJSON writes snap as HAProxy's `show stat json`: every non-empty
// field of every row (the columns of WriteCSV) with
// HAProxy's positions, tags (origin, nature, scope) and types (u32, u64,
// s32, str).
func WriteJSON(w io.Writer, snap *Snapshot, o Options) error {
	rs := rows(snap, rowOpts{legends: o.Legends})
	out := make([][]jsonField, 0, len(rs))
	for i := range rs {
		r := &rs[i]
		var fs []jsonField
		for f := 0; f < numFields; f++ {
			v := r.v[f]
			if v.kind == vEmpty {
				continue
			}
			meta := fieldTable[f]
			tags := tagsFor(r.obj, f)
			jf := jsonField{ObjType: objTypes[r.obj], ProxyID: r.proxyID, ID: r.id,
				Field: jsonPos{Pos: f, Name: meta.name}, ProcessNum: 1,
				Tags:  jsonTags{Origin: origins[tags[0]], Nature: natures[tags[1]], Scope: scopes[tags[2]]},
				Value: jsonValue{Type: meta.typ}}
			switch v.kind {
			case vUint:
				jf.Value.Value = v.u
			case vInt:
				jf.Value.Value = v.i
			default:
				jf.Value.Value = v.s
			}
			fs = append(fs, jf)
		}
		out = append(out, fs)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
