package acl

import "strings"

// Words splits one configuration line into words the way haproxy 2.6 cuts
// its configuration lines (configuration.txt §2.2):
//
//   - spaces and tabs separate words;
//   - outside quotes and inside double quotes a backslash escapes the
//     next character: "\ ", "\#", "\\", "\'", "\"" and "\$" give the
//     character itself, "\n", "\r", "\t" give LF, CR, TAB, "\xNN" gives the
//     byte NN; before any other character the backslash is kept, so regular
//     expressions such as "\.json$" reach the matcher unchanged;
//   - double quotes protect spaces, '#' and single quotes (weak quoting);
//   - single quotes protect everything up to the next single quote (strong
//     quoting), no escape is interpreted there;
//   - an unquoted, unescaped '#' starts a comment that runs to the end;
//   - quoted and unquoted parts that touch form one word ("a"'b'c is abc),
//     and "" alone is an empty word.
//
// Unlike haproxy, "$VAR" inside double quotes is not expanded from the
// environment: configuration comes from TOML, which has its own means.
// A '$' is kept literally. An unterminated quote or a bad "\x" sequence is
// an error.
func Words(s string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		inW   bool // a word is open (possibly empty, from "")
	)
	flush := func() {
		if inW {
			words = append(words, cur.String())
			cur.Reset()
			inW = false
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			flush()
		case c == '#':
			flush()
			return words, nil
		case c == '\'':
			inW = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errorf(s[i:], "unmatched single quote in '%s'", s)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			inW = true
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					n, err := unescape(s, i, &cur)
					if err != nil {
						return nil, err
					}
					i += n
					continue
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errorf(s, "unmatched double quote in '%s'", s)
			}
		case c == '\\':
			inW = true
			n, err := unescape(s, i, &cur)
			if err != nil {
				return nil, err
			}
			i += n
		default:
			inW = true
			cur.WriteByte(c)
		}
	}
	flush()
	return words, nil
}

// unescape handles the backslash at s[i], writes its result to b and
// returns how many bytes after the backslash it consumed.
func unescape(s string, i int, b *strings.Builder) (int, error) {
	if i+1 >= len(s) {
		// A trailing backslash has nothing to escape: keep it.
		b.WriteByte('\\')
		return 0, nil
	}
	switch c := s[i+1]; c {
	case ' ', '\t', '#', '\\', '\'', '"', '$':
		b.WriteByte(c)
		return 1, nil
	case 'n':
		b.WriteByte('\n')
		return 1, nil
	case 'r':
		b.WriteByte('\r')
		return 1, nil
	case 't':
		b.WriteByte('\t')
		return 1, nil
	case 'x':
		if i+3 < len(s) {
			hi, ok1 := unhex(s[i+2])
			lo, ok2 := unhex(s[i+3])
			if ok1 && ok2 {
				b.WriteByte(hi<<4 | lo)
				return 3, nil
			}
		}
		return 0, errorf(s[i:], "truncated or invalid hexadecimal sequence at '%s'", s[i:min(len(s), i+4)])
	default:
		b.WriteByte('\\')
		return 0, nil
	}
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
