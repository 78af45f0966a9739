// Package e2e holds the end-to-end tests that run the real haappliance
// binary next to the real haproxy (and, in the namespace lab, keepalived)
// from Debian's packages and compare what a client observes. It has no
// non-test code; the tests skip with a message where haproxy is missing.
package e2e
