package config

import (
	"strconv"
	"strings"
)

// Locator maps key paths of a TOML document to the line they were written
// on. It is a tolerant scanner, not a validating parser: the TOML decoder has
// already accepted the document when the Locator is asked, so the Locator
// only needs to follow the structure (tables, arrays of tables, inline tables,
// arrays, strings and comments) to know where each key stands.
type Locator struct {
	lines map[string]int
}

// NewLocator scans src.
func NewLocator(src []byte) *Locator {
	s := &scanner{src: src, line: 1, out: map[string]int{}, aot: map[string]int{}}
	s.document()
	return &Locator{lines: s.out}
}

// Line returns the line of path, or of its nearest located ancestor, or 0.
func (l *Locator) Line(path string) int {
	if l == nil {
		return 0
	}
	for path != "" {
		if n, ok := l.lines[path]; ok {
			return n
		}
		path = parent(path)
	}
	return 0
}

// parent strips the last component: a.b[2].c → a.b[2] → a.b → a.
func parent(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i >= 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}

type scanner struct {
	src  []byte
	pos  int
	line int
	out  map[string]int
	aot  map[string]int // next index of each array of tables
}

// record stores the line of path, and also of path with its array indexes
// removed, since the TOML decoder names unknown keys without indexes.
func (s *scanner) record(path string, line int) {
	if _, ok := s.out[path]; !ok {
		s.out[path] = line
	}
	if strings.IndexByte(path, '[') >= 0 {
		bare := stripIndexes(path)
		if _, ok := s.out[bare]; !ok {
			s.out[bare] = line
		}
	}
}

func stripIndexes(p string) string {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '[':
			depth++
		case p[i] == ']':
			depth--
		case depth == 0:
			b.WriteByte(p[i])
		}
	}
	return b.String()
}

func (s *scanner) peek() byte {
	if s.pos < len(s.src) {
		return s.src[s.pos]
	}
	return 0
}

func (s *scanner) next() byte {
	if s.pos >= len(s.src) {
		return 0 // an unterminated construct at the end (fuzz: "00{ ")
	}
	c := s.src[s.pos]
	s.pos++
	if c == '\n' {
		s.line++
	}
	return c
}

// skip passes spaces, tabs, and (when nl) newlines and comments.
func (s *scanner) skip(nl bool) {
	for s.pos < len(s.src) {
		switch c := s.peek(); {
		case c == ' ' || c == '\t' || c == '\r':
			s.next()
		case c == '#':
			for s.pos < len(s.src) && s.peek() != '\n' {
				s.next()
			}
		case c == '\n' && nl:
			s.next()
		default:
			return
		}
	}
}

func (s *scanner) document() {
	table := ""
	for {
		s.skip(true)
		if s.pos >= len(s.src) {
			return
		}
		if s.peek() == '[' {
			line := s.line
			s.next()
			array := s.peek() == '['
			if array {
				s.next()
			}
			table = strings.Join(s.keyParts(']'), ".")
			for s.pos < len(s.src) && s.peek() != '\n' && s.peek() != '#' {
				s.next()
			}
			if array {
				i := s.aot[table]
				s.aot[table] = i + 1
				s.record(table, line)
				table = Index(table, i)
			}
			s.record(table, line)
			continue
		}
		start := s.pos
		s.keyValue(table)
		if s.pos == start { // not a key: skip the rest of the line
			for s.pos < len(s.src) && s.peek() != '\n' {
				s.next()
			}
		}
	}
}

// keyParts reads a dotted key up to '=' (or stop), returning its parts.
func (s *scanner) keyParts(stop byte) []string {
	var parts []string
	for s.pos < len(s.src) {
		s.skip(false)
		switch c := s.peek(); {
		case c == '"' || c == '\'':
			parts = append(parts, s.str())
		case c == '.':
			s.next()
		case c == stop || c == '=' || c == '\n' || c == ']':
			if c == stop {
				s.next()
				if stop == ']' && s.peek() == ']' {
					s.next()
				}
			}
			return parts
		default:
			st := s.pos
			for s.pos < len(s.src) && isBare(s.peek()) {
				s.next()
			}
			if s.pos == st {
				return parts
			}
			parts = append(parts, string(s.src[st:s.pos]))
		}
	}
	return parts
}

func isBare(c byte) bool {
	return c == '-' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (s *scanner) keyValue(table string) {
	line := s.line
	parts := s.keyParts('=')
	if len(parts) == 0 || s.peek() == '\n' {
		return
	}
	path := table
	for _, p := range parts {
		path = Join(path, p)
	}
	s.record(path, line)
	s.skip(false)
	s.value(path)
}

func (s *scanner) value(path string) {
	s.skip(false)
	switch s.peek() {
	case '"', '\'':
		s.str()
	case '[':
		s.next()
		for i := 0; s.pos < len(s.src); i++ {
			s.skip(true)
			if s.peek() == ']' {
				s.next()
				return
			}
			st := s.pos
			el := Index(path, i)
			s.record(el, s.line)
			s.value(el)
			s.skip(true)
			if s.peek() == ',' {
				s.next()
			} else if s.pos == st {
				s.next() // not a value (fuzz: a stray '}'): skip it, never loop
			}
		}
	case '{':
		s.next()
		for s.pos < len(s.src) {
			s.skip(true)
			if s.peek() == '}' {
				s.next()
				return
			}
			st := s.pos
			s.keyValue(path)
			s.skip(true)
			if s.peek() == ',' {
				s.next()
			} else if s.pos == st {
				s.next()
			}
		}
	default:
		for s.pos < len(s.src) {
			c := s.peek()
			if c == ',' || c == ']' || c == '}' || c == '\n' || c == '#' {
				return
			}
			s.next()
		}
	}
}

// str reads a basic, literal or multi-line string and returns its raw body
// (escapes are left as written; keys with escapes are vanishingly rare).
func (s *scanner) str() string {
	q := s.next()
	triple := s.pos+1 < len(s.src) && s.src[s.pos] == q && s.src[s.pos+1] == q
	if triple {
		s.next()
		s.next()
	}
	st := s.pos
	for s.pos < len(s.src) {
		c := s.peek()
		if c == '\\' && q == '"' {
			s.next()
			if s.pos < len(s.src) {
				s.next()
			}
			continue
		}
		if c == q {
			if !triple {
				body := string(s.src[st:s.pos])
				s.next()
				if uq, err := strconv.Unquote(`"` + body + `"`); err == nil && q == '"' {
					return uq
				}
				return body
			}
			if s.pos+2 < len(s.src)+0 && s.src[s.pos+1] == q && s.src[s.pos+2] == q {
				body := string(s.src[st:s.pos])
				s.next()
				s.next()
				s.next()
				for s.peek() == q { // up to two quotes may end the body
					s.next()
				}
				return body
			}
		}
		if c == '\n' && !triple {
			return string(s.src[st:s.pos])
		}
		s.next()
	}
	return string(s.src[st:])
}
