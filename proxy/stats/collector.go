package stats

import "github.com/prometheus/client_golang/prometheus"

// Collector is a prometheus.Collector over Metrics: every Collect reads the
// sources at that instant. It is "unchecked" (Describe sends nothing), as
// the set of series follows the configuration. Register it on a private
// prometheus.Registry, never on the default one.
type Collector struct {
	Metrics *Metrics
}

// Describe sends nothing: the collector is unchecked.
func (c Collector) Describe(chan<- *prometheus.Desc) {}

// Collect sends every sample as a constant metric.
func (c Collector) Collect(ch chan<- prometheus.Metric) {
	var fs families
	if c.Metrics.Snapshot != nil {
		snap := c.Metrics.Snapshot()
		proxyFamilies(&fs, &snap)
	}
	if c.Metrics.VRRP != nil {
		vrrpFamilies(&fs, c.Metrics.VRRP())
	}
	for _, f := range fs.list {
		typ := prometheus.GaugeValue
		if f.typ == "counter" {
			typ = prometheus.CounterValue
		}
		for _, s := range f.samples {
			names := make([]string, 0, len(s.labels)/2)
			values := make([]string, 0, len(s.labels)/2)
			for i := 0; i+1 < len(s.labels); i += 2 {
				names = append(names, s.labels[i])
				values = append(values, s.labels[i+1])
			}
			ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(f.name, f.help, names, nil), typ, s.value, values...)
		}
	}
}
