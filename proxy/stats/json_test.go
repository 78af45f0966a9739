package stats

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestJSONMatchesHaproxy compares our `;json` with haproxy 2.6's for the
// same state (testdata/haproxy26-http-stats.json was fetched with the CSV
// next to it): same rows, same fields with the same positions, tags and
// types, same values except the derived columns and the stats proxy itself
// (whose counters moved between the two requests).
func TestJSONMatchesHaproxy(t *testing.T) {
	data, err := os.ReadFile("testdata/haproxy26-http-stats.json")
	if err != nil {
		t.Fatal(err)
	}
	var want [][]jsonField
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	csvData, err := os.ReadFile("testdata/haproxy26-http-stats.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(csvData)), "\n")
	var rs [][]string
	for _, l := range lines[1:] {
		rs = append(rs, strings.Split(l, ","))
	}
	snap := snapshotFromCSV(t, strings.Split(strings.TrimPrefix(lines[0], "# "), ","), rs)
	var buf bytes.Buffer
	if err := WriteJSON(&buf, &snap, Options{}); err != nil {
		t.Fatal(err)
	}
	var got [][]jsonField
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("our JSON does not parse: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	norm := func(fs []jsonField, values bool) []string {
		var out []string
		for _, f := range fs {
			s := fmt.Sprintf("%s px%d id%d %d:%s %s/%s/%s %s", f.ObjType, f.ProxyID, f.ID, f.Field.Pos, f.Field.Name,
				f.Tags.Origin, f.Tags.Nature, f.Tags.Scope, f.Value.Type)
			if values && !derived[f.Field.Name] {
				s += fmt.Sprintf("=%v", f.Value.Value)
			}
			out = append(out, s)
		}
		return out
	}
	for i := range want {
		values := want[i][0].Value.Value != "st"
		if diff := cmp.Diff(norm(want[i], values), norm(got[i], values)); diff != "" {
			t.Errorf("row %d (-haproxy +ours):\n%s", i, diff)
		}
	}
}
