package convert

import (
	"fmt"
	"strings"
)

// kaWord is one word of keepalived.conf: its text without quotes and as
// written.
type kaWord struct {
	text, raw string
}

// kaNode is one statement: its words, its line, and the statements of its
// { } block when it has one.
type kaNode struct {
	words    []kaWord
	line     int
	hasBlock bool
	block    []*kaNode
}

func (n *kaNode) kw() string {
	if len(n.words) == 0 {
		return ""
	}
	return n.words[0].text
}

// args returns the texts of the words after the keyword.
func (n *kaNode) args() []string {
	if len(n.words) < 2 {
		return nil
	}
	out := make([]string, 0, len(n.words))
	for _, w := range n.words[1:] {
		out = append(out, w.text)
	}
	return out
}

// command returns the words after the keyword as one command line, the
// way keepalived reads script and notify lines: a single quoted word is
// the whole command; several words keep their quotes.
func (n *kaNode) command() string {
	if len(n.words) < 2 {
		return ""
	}
	w := n.words[1:]
	if len(w) == 1 {
		return w[0].text
	}
	raw := make([]string, len(w))
	for i, x := range w {
		raw[i] = x.raw
	}
	return strings.Join(raw, " ")
}

// kaLex cuts keepalived.conf into words with their lines, as keepalived
// 2.2 does: blanks separate words, '{' and '}' are words of their own,
// an unquoted '#' or '!' starts a comment, double quotes group words.
func kaLex(src string) (words []kaWord, lines []int, err error) {
	for i, l := range strings.Split(src, "\n") {
		line := i + 1
		l = strings.TrimSuffix(l, "\r")
		for j := 0; j < len(l); {
			c := l[j]
			switch {
			case c == ' ' || c == '\t' || c == '\v' || c == '\f':
				j++
			case c == '#' || c == '!':
				j = len(l)
			case c == '{' || c == '}':
				words = append(words, kaWord{text: string(c), raw: string(c)})
				lines = append(lines, line)
				j++
			default:
				start := j
				var b strings.Builder
				for j < len(l) && !strings.ContainsRune(" \t\v\f{}", rune(l[j])) {
					if l[j] == '"' {
						k := strings.IndexByte(l[j+1:], '"')
						if k < 0 {
							return nil, nil, fmt.Errorf("line %d: unterminated double quote", line)
						}
						b.WriteString(l[j+1 : j+1+k])
						j += k + 2
						continue
					}
					if (l[j] == '#' || l[j] == '!') && j == start {
						break
					}
					b.WriteByte(l[j])
					j++
				}
				words = append(words, kaWord{text: b.String(), raw: l[start:j]})
				lines = append(lines, line)
			}
		}
	}
	return words, lines, nil
}

// kaParse builds the statement tree of keepalived.conf.
func kaParse(src string) ([]*kaNode, error) {
	words, lines, err := kaLex(src)
	if err != nil {
		return nil, err
	}
	root := &kaNode{hasBlock: true}
	stack := []*kaNode{root}
	var cur, last *kaNode
	end := func() {
		if cur != nil {
			top := stack[len(stack)-1]
			top.block = append(top.block, cur)
			last, cur = cur, nil
		}
	}
	for i, w := range words {
		line := lines[i]
		if cur != nil && cur.line != line {
			end()
		}
		switch w.raw {
		case "{":
			end()
			owner := last
			if owner == nil || owner.hasBlock || len(stack) > 64 {
				owner = &kaNode{line: line}
				stack[len(stack)-1].block = append(stack[len(stack)-1].block, owner)
			}
			owner.hasBlock = true
			stack = append(stack, owner)
			last = nil
		case "}":
			end()
			if len(stack) == 1 {
				return nil, fmt.Errorf("line %d: '}' without a matching '{'", line)
			}
			last = stack[len(stack)-1]
			stack = stack[:len(stack)-1]
		default:
			if cur == nil {
				cur = &kaNode{line: line}
			}
			cur.words = append(cur.words, w)
		}
	}
	end()
	if len(stack) > 1 {
		return nil, fmt.Errorf("line %d: '{' is never closed", stack[len(stack)-1].line)
	}
	return root.block, nil
}
