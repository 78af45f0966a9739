// Package stats renders the proxy's counters the way HAProxy 2.6 does, so the
// tools operators already point at haproxy read haappliance unchanged:
//
//   - WriteCSV: the CSV of `show stat` and of the stats page's `;csv`, with
//     HAProxy 2.6's columns in HAProxy's order (management guide §9.1,
//     "CSV format"; the header is checked against the real haproxy);
//   - WriteJSON: `show stat json` / `;json`, HAProxy's typed-field
//     structure (management guide §9.3 "show stat [json|typed]");
//   - WriteInfo: `show info`, HAProxy's "Name: value" lines;
//   - WriteHTML and Page: the stats page (configuration manual §4 "stats
//     uri", "stats realm", "stats auth", "stats refresh", "stats admin"),
//     with basic authentication (RFC 7617) and admin actions;
//   - Collector and VRRPCollector: Prometheus collectors (text exposition
//     format 0.0.4) read at scrape time, with the haappliance_ prefix.
//
// The package is a leaf with its own neutral model (Snapshot). It never
// imports the proxy engine; an adapter in the engine or in cmd fills a
// Snapshot from the engine's atomic counters when a page, a CSV or a scrape
// is asked for. Nothing here is global: no registration in init(), no
// default Prometheus registry.
package stats
