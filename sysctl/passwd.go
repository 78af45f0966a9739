package sysctl

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// ids is who the daemon becomes.
type ids struct {
	uid, gid int
	setUID   bool // false when only a group was given
}

// resolveIDs looks user and group up in the contents of /etc/passwd and
// /etc/group, as getpwnam(3) and getgrnam(3) do for files-based accounts
// (the only kind a system user like "ha" is). A name that is all digits is a
// numeric id. An empty group means the user's primary group; an empty user
// with a group changes the group only.
func resolveIDs(passwd, group []byte, user, grp string) (ids, error) {
	var r ids
	if user == "" && grp == "" {
		return r, fmt.Errorf("no user or group given")
	}
	primary := -1
	if user != "" {
		r.setUID = true
		u, g, ok := lookupPasswd(passwd, user)
		switch {
		case ok:
			r.uid, primary = u, g
		case isID(user):
			r.uid, _ = strconv.Atoi(user)
		default:
			return r, fmt.Errorf("unknown user %q (not in /etc/passwd)", user)
		}
	}
	switch {
	case grp != "":
		g, ok := lookupGroup(group, grp)
		switch {
		case ok:
			r.gid = g
		case isID(grp):
			r.gid, _ = strconv.Atoi(grp)
		default:
			return r, fmt.Errorf("unknown group %q (not in /etc/group)", grp)
		}
	case primary >= 0:
		r.gid = primary
	default:
		return r, fmt.Errorf("user %q has no primary group: set global.group", user)
	}
	return r, nil
}

func isID(s string) bool {
	n, err := strconv.ParseUint(s, 10, 31)
	return err == nil && n < 1<<31-1
}

// lookupPasswd finds name in passwd(5) lines "name:pw:uid:gid:gecos:dir:shell".
func lookupPasswd(passwd []byte, name string) (uid, gid int, ok bool) {
	var found bool
	eachLine(passwd, func(f []string) bool {
		if len(f) < 4 || f[0] != name {
			return true
		}
		u, err1 := parseID(f[2])
		g, err2 := parseID(f[3])
		if err1 != nil || err2 != nil {
			return true
		}
		uid, gid, found = u, g, true
		return false
	})
	return uid, gid, found
}

// lookupGroup finds name in group(5) lines "name:pw:gid:members".
func lookupGroup(group []byte, name string) (gid int, ok bool) {
	var found bool
	eachLine(group, func(f []string) bool {
		if len(f) < 3 || f[0] != name {
			return true
		}
		g, err := parseID(f[2])
		if err != nil {
			return true
		}
		gid, found = g, true
		return false
	})
	return gid, found
}

func parseID(s string) (int, error) {
	if !isID(s) {
		return 0, fmt.Errorf("bad id %q", s)
	}
	n, err := strconv.Atoi(s)
	return n, err
}

// eachLine calls fn with the colon-separated fields of every line that is
// not blank, a comment or an NIS "+"/"-" entry, until fn returns false.
func eachLine(b []byte, fn func([]string) bool) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '+' || line[0] == '-' {
			continue
		}
		if !fn(strings.Split(line, ":")) {
			return
		}
	}
}
