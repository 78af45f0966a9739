package stats

import (
	"errors"
	"fmt"
	"net/url"
)

// AdminAction is what an admin POST from the stats page asks: set the
// listed servers of a backend to a state.
type AdminAction struct {
	Backend string
	Servers []string
	// Action is ready, drain or maint; HAProxy's older words enable (=
	// ready) and disable (= maint) are accepted and mapped.
	Action string
}

// ErrNoServer means the form was posted without any server ticked, which
// HAProxy's page reports as "Nothing has changed".
var ErrNoServer = errors.New("no server selected")

// ParseAdminPost parses the application/x-www-form-urlencoded body of the
// stats page's admin form: b=<backend>, s=<server> (repeated) and
// action=ready|drain|maint|enable|disable.
func ParseAdminPost(body []byte) (AdminAction, error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return AdminAction{}, fmt.Errorf("stats admin form: %w", err)
	}
	a := AdminAction{Backend: v.Get("b"), Servers: v["s"], Action: v.Get("action")}
	switch a.Action {
	case "ready", "drain", "maint":
	case "enable":
		a.Action = "ready"
	case "disable":
		a.Action = "maint"
	case "":
		return AdminAction{}, errors.New("stats admin form: no action")
	default:
		return AdminAction{}, fmt.Errorf("stats admin form: unknown action %q", a.Action)
	}
	if a.Backend == "" {
		return AdminAction{}, errors.New("stats admin form: no backend")
	}
	if len(a.Servers) == 0 {
		return a, ErrNoServer
	}
	for _, s := range a.Servers {
		if s == "" {
			return AdminAction{}, errors.New("stats admin form: empty server name")
		}
	}
	return a, nil
}
