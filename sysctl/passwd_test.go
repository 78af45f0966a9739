package sysctl

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

const testPasswd = `root:x:0:0:root:/root:/bin/bash
# a comment
+nisuser::::::
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
broken:x:abc:1::/:/bin/false
ha:x:998:997:HAProxy-class daemon:/var/lib/haappliance:/usr/sbin/nologin

nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
`

const testGroup = `root:x:0:
ha:x:997:
nogroup:x:65534:
adm:x:4:syslog,alice
`

func TestResolveIDs(t *testing.T) {
	tests := []struct {
		user, group string
		want        ids
		wantErr     string
	}{
		{"ha", "", ids{998, 997, true}, ""},
		{"ha", "ha", ids{998, 997, true}, ""},
		{"ha", "adm", ids{998, 4, true}, ""},
		{"nobody", "nogroup", ids{65534, 65534, true}, ""},
		{"1234", "1234", ids{1234, 1234, true}, ""},
		{"ha", "4321", ids{998, 4321, true}, ""},
		{"", "adm", ids{0, 4, false}, ""},
		{"1234", "", ids{}, `user "1234" has no primary group: set global.group`},
		{"nosuch", "", ids{}, `unknown user "nosuch" (not in /etc/passwd)`},
		{"ha", "nosuch", ids{}, `unknown group "nosuch" (not in /etc/group)`},
		{"broken", "", ids{}, `unknown user "broken" (not in /etc/passwd)`},
		{"+nisuser", "", ids{}, `unknown user "+nisuser" (not in /etc/passwd)`},
		{"-1", "", ids{}, `unknown user "-1" (not in /etc/passwd)`},
		{"", "", ids{}, "no user or group given"},
	}
	for _, tt := range tests {
		got, err := resolveIDs([]byte(testPasswd), []byte(testGroup), tt.user, tt.group)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
			got = ids{}
		}
		if gotErr != tt.wantErr {
			t.Errorf("resolveIDs(%q, %q) error = %q, want %q", tt.user, tt.group, gotErr, tt.wantErr)
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(ids{})); diff != "" {
			t.Errorf("resolveIDs(%q, %q) (-want +got):\n%s", tt.user, tt.group, diff)
		}
	}
}
