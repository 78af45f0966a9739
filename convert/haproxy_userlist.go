package convert

import (
	"sort"
	"strings"
)

func (c *hapConv) startUserlist(w []string, line int) {
	if len(w) != 2 {
		c.rep.ignored(line, "userlist", "expects one name; its lines are skipped")
		c.state, c.skipName = "skip", strings.Join(w, " ")
		return
	}
	if _, dup := c.ulByName[w[1]]; dup {
		c.rep.ignored(line, "userlist", "a second userlist named '%s'; its lines are skipped", w[1])
		c.state, c.skipName = "skip", "userlist "+w[1]
		return
	}
	u := &userlist{name: w[1], line: line}
	c.ulByName[w[1]] = u
	c.groups[u] = map[string][]string{}
	c.out.userlists = append(c.out.userlists, u)
	c.state, c.ul = "userlist", u
	c.rep.mapped(line, "userlist", "[userlist.%s]", w[1])
}

// userlistLine converts `user NAME [password HASH|insecure-password PASS]
// [groups G1,G2]` and `group NAME [users U1,U2]`.
func (c *hapConv) userlistLine(w []string, line int) {
	u := c.ul
	switch w[0] {
	case "user":
		if len(w) < 2 {
			c.rep.ignored(line, "user", "expects a name")
			return
		}
		if c.userNames[u] == nil {
			c.userNames[u] = map[string]*table{}
		}
		if c.userNames[u][w[1]] != nil {
			c.rep.ignored(line, "user", "a second user named '%s' in userlist %s (haproxy refuses this)", w[1], u.name)
			return
		}
		t := newTable("name", "password", "groups")
		t.str("name", w[1])
		c.userNames[u][w[1]] = t
		var notes []string
		for i := 2; i < len(w); i++ {
			if i+1 >= len(w) {
				notes = append(notes, "'"+w[i]+"' without a value dropped")
				break
			}
			switch w[i] {
			case "password":
				t.str("password", w[i+1])
				if !strings.HasPrefix(w[i+1], "$") {
					notes = append(notes, "a 'password' that is not a crypt(3) hash is kept as written and compared as plain text")
				}
			case "insecure-password":
				t.str("password", w[i+1])
				if strings.HasPrefix(w[i+1], "$") {
					notes = append(notes, "this plain-text password starts with '$' and will be read as a crypt(3) hash: change it")
				}
			case "groups":
				for _, g := range strings.Split(w[i+1], ",") {
					if g != "" {
						t.push("groups", g)
					}
				}
			default:
				notes = append(notes, "unknown setting '"+w[i]+"' dropped")
			}
			i++
		}
		u.users = append(u.users, t)
		if len(notes) > 0 {
			c.rep.approx(line, "user", "userlist.%s.user; %s", u.name, strings.Join(notes, "; "))
			return
		}
		c.rep.mapped(line, "user", "userlist.%s.user", u.name)
	case "group":
		if len(w) < 2 {
			c.rep.ignored(line, "group", "expects a name")
			return
		}
		if len(w) == 4 && w[2] == "users" {
			for _, n := range strings.Split(w[3], ",") {
				if n != "" {
					c.groups[u][n] = append(c.groups[u][n], w[1])
				}
			}
			// Users named here are looked up at the end, so a group line
			// may come before its users, as haproxy allows.
		} else if len(w) != 2 {
			c.rep.ignored(line, "group", "expects 'group NAME [users U1,U2]'")
			return
		}
		c.rep.mapped(line, "group", "written into the groups of its users in userlist.%s", u.name)
	default:
		c.rep.ignored(line, w[0], "unknown keyword in a userlist, not carried over")
	}
}

// finishUserlists adds the groups named by `group ... users` lines.
func (c *hapConv) finishUserlists() {
	for _, u := range c.out.userlists {
		for _, name := range sortedNames(c.groups[u]) {
			t := c.userNames[u][name]
			if t == nil {
				continue
			}
			have := map[string]bool{}
			for _, x := range t.get("groups").listOrNil() {
				have[x] = true
			}
			for _, g := range c.groups[u][name] {
				if q := tomlString(g); !have[q] {
					have[q] = true
					t.push("groups", g)
				}
			}
		}
	}
}

func sortedNames(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
