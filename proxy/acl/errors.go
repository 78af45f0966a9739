package acl

import "fmt"

// Error is a parse error. Msg names the offending word the way haproxy's
// configuration parser does ("unknown ACL criterion 'path_bgn'"), Word is
// that word when there is one, and Index is the position of the failing
// string in the list handed to a list helper ([Set.AddLines],
// [ParseUseBackends]); single-string functions leave it at 0. The caller
// turns Index into a key path such as frontend.web.acl[1], which the
// configuration loader maps to FILE:LINE.
type Error struct {
	Index int
	Word  string
	Msg   string
}

func (e *Error) Error() string { return e.Msg }

func errorf(word, format string, args ...any) *Error {
	return &Error{Word: word, Msg: fmt.Sprintf(format, args...)}
}

// withIndex sets the index of err when it is an *Error and returns it.
func withIndex(err error, i int) error {
	if e, ok := err.(*Error); ok {
		e.Index = i
		return e
	}
	return &Error{Index: i, Msg: err.Error()}
}
