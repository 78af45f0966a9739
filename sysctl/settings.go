package sysctl

import "sort"

// Setting is one key and the value it should have.
type Setting struct {
	Key   string
	Value string
	// Source says where the value comes from: "recommended" or "sysctl.set".
	Source string
}

// Sources of a Setting.
const (
	SourceRecommended = "recommended"
	SourceSet         = "sysctl.set"
)

// Recommended returns the settings of SPEC §8, in order: the HAProxy guide's
// list plus ip_nonlocal_bind, which lets a backup bind a VIP it does not hold.
func Recommended() []Setting {
	return []Setting{
		{"net.ipv4.tcp_tw_reuse", "1", SourceRecommended},
		{"net.ipv4.ip_local_port_range", "1024 65023", SourceRecommended},
		{"net.ipv4.tcp_max_syn_backlog", "10240", SourceRecommended},
		{"net.ipv4.tcp_max_tw_buckets", "400000", SourceRecommended},
		{"net.ipv4.tcp_max_orphans", "60000", SourceRecommended},
		{"net.ipv4.tcp_synack_retries", "3", SourceRecommended},
		{"net.core.somaxconn", "10000", SourceRecommended},
		{"net.ipv4.ip_nonlocal_bind", "1", SourceRecommended},
	}
}

// Plan returns the settings to apply under cfg: the recommended list in its
// order with [sysctl.set] values in place of the recommended ones, then the
// keys [sysctl.set] adds, sorted. When two spellings of one key are both
// set (Validate reports it), the later in sort order wins. Keys compare after the '.'/'/' rule of
// sysctl(8), so "net/core/somaxconn" overrides "net.core.somaxconn". Values
// are whitespace-normalised. Plan does not look at cfg.Apply.
func Plan(cfg Config) []Setting {
	out := Recommended()
	index := make(map[string]int, len(out))
	for i, s := range out {
		index[keyPath(s.Key)] = i
	}
	keys := make([]string, 0, len(cfg.Set))
	for k := range cfg.Set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := Setting{Key: k, Value: Normalize(cfg.Set[k]), Source: SourceSet}
		if i, ok := index[keyPath(k)]; ok {
			if out[i].Source == SourceRecommended {
				s.Key = out[i].Key
			}
			out[i] = s
			continue
		}
		index[keyPath(k)] = len(out)
		out = append(out, s)
	}
	return out
}
