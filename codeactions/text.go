// This file holds the text helpers the fixers share: keyword case, quoting
// a value for BuildKit's lexer, and short quotes of source text for titles.
package codeactions

import (
	"strings"
	"unicode/utf8"
)

// keywordLike returns kw in the case of the keyword written as written:
// lowercase when written is all lowercase, else uppercase.
func keywordLike(written, kw string) string {
	if written != "" && written == strings.ToLower(written) {
		return strings.ToLower(kw)
	}
	return strings.ToUpper(kw)
}

// doubleQuote quotes s for BuildKit's lexer so that it expands to s
// exactly: inside double quotes only '"', '$' and the escape token are
// special, and each is escaped with the escape token.
func doubleQuote(s string, escape rune) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if r == '"' || r == '$' || r == escape {
			b.WriteRune(escape)
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// short returns s on one line, cut to about n characters, for a title.
func short(s string, n int) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
