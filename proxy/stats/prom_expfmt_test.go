package stats

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestMetricsParseWithExpfmt parses our text with Prometheus' own parser
// and gathers the Collector through a private registry.
func TestMetricsParseWithExpfmt(t *testing.T) {
	snap := testSnapshot()
	m := &Metrics{Snapshot: func() Snapshot { return snap }, VRRP: testVRRP}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(m.Bytes()))
	if err != nil {
		t.Fatalf("Prometheus text parser: %v", err)
	}
	up := mfs["haappliance_server_up"]
	if up == nil {
		t.Fatal("no haappliance_server_up")
	}
	var got []string
	for _, s := range up.Metric {
		got = append(got, s.Label[0].GetValue()+"/"+s.Label[1].GetValue())
	}
	want := []string{"ms1/ms1.srv1", "ms1/ms1.srv2", "ms1/ms1.srv3", "ms1/ms1.srv4", "ms1/ms1.srv5", "ms1/ms1.srv6", "ms1/ms1.srv7", "tcp-in/def.srv1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("server-labelled series (-want +got):\n%s", diff)
	}
	if mfs["haappliance_vrrp_state"].Metric[0].Gauge.GetValue() != 2 {
		t.Errorf("vrrp_state not 2")
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(Collector{Metrics: m})
	gathered, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(gathered) != len(mfs) {
		t.Errorf("collector gathered %d families, text has %d", len(gathered), len(mfs))
	}
}
