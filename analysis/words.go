// This file defines word, a piece of an instruction that BuildKit expands
// with its shell lexer (an ENV value, a COPY source, a FROM image, ...),
// prepared once per instruction so that re-evaluating it after an edit
// elsewhere costs a few string concatenations instead of a lexer run.
package analysis

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// word is a string BuildKit passes to its shell lexer, with what the lexer
// does with it compiled ahead of time.
type word struct {
	text       string // the word as BuildKit passes it to the lexer
	start, end int    // chunk-relative source range holding it
	lit        string // the expansion, when the lexer looks up no variable
	v          *wordVars
	err        error // the lexer fails on this word
	raw        bool  // processed like heredoc contents: '\' escapes, quotes kept
	esc        rune  // the file's escape token
}

// wordVars is what a word that looks up variables needs besides the text.
type wordVars struct {
	names   []string // variables the lexer looks up, in order of first lookup
	refs    []wordRef
	parts   []wordPart // the expansion as literals and variables, when simple
	complex bool       // uses ${name<modifier>...}: evaluated by the lexer
}

// names returns the variables the lexer looks up, in order of first lookup.
func (w *word) names() []string {
	if w.v == nil {
		return nil
	}
	return w.v.names
}

// wordPart is a literal (ref < 0) or the value of names[ref].
type wordPart struct {
	lit string
	ref int
}

// wordRef is where a variable reference appears in the source
// (chunk-relative), e.g. `$FOO` or `${FOO:-x}`.
type wordRef struct {
	name       string
	start, end int
}

var errBadText = errors.New("invalid UTF-8 or NUL in word")

const (
	sentinelOpen  = "\x00"
	sentinelClose = "\x01"
)

// recordEnv records the names the lexer looks up and answers each with a
// sentinel, so that the lexer's output shows where each value goes.
type recordEnv struct{ names []string }

func (r *recordEnv) Get(name string) (string, bool) {
	for i, n := range r.names {
		if n == name {
			return sentinelOpen + strconv.Itoa(i) + sentinelClose, true
		}
	}
	r.names = append(r.names, name)
	return sentinelOpen + strconv.Itoa(len(r.names)-1) + sentinelClose, true
}

func (r *recordEnv) Keys() []string { return r.names }

// newLex returns the lexer BuildKit uses for a word: the file's escape
// token, or for raw words (heredoc contents) '\' with quotes left alone.
func newLex(esc rune, raw bool) *shell.Lex {
	if raw {
		l := shell.NewLex('\\')
		l.SkipProcessQuotes = true
		return l
	}
	return shell.NewLex(esc)
}

// lexPools hold lexers for reuse (a lexer carries a 1 KB scanner buffer):
// one pool for each escape token BuildKit accepts, and one for raw words.
var lexPools [3]sync.Pool

// processWord runs the lexer BuildKit uses for a word (see newLex).
func processWord(esc rune, raw bool, text string, env shell.EnvGetter) (string, error) {
	i := 0
	switch {
	case raw:
		i = 2
	case esc == '`':
		i = 1
	case esc != '\\':
		res, _, err := newLex(esc, raw).ProcessWord(text, env)
		return res, err
	}
	l, _ := lexPools[i].Get().(*shell.Lex)
	if l == nil {
		l = newLex(esc, raw)
	}
	res, _, err := l.ProcessWord(text, env)
	lexPools[i].Put(l)
	return res, err
}

// compileWord prepares text for evaluation. src is the source text of the
// range [start, end) the word comes from, used to locate its references.
func compileWord(text string, esc rune, raw bool, src string, start, end int) *word {
	w := &word{text: text, start: start, end: end, raw: raw, esc: esc}
	if !strings.ContainsRune(text, '$') {
		// No lookups; the expansion only removes quotes and escapes
		// (and a leading byte order mark, which text/scanner skips).
		if !raw && strings.IndexByte(text, '\'') < 0 && strings.IndexByte(text, '"') < 0 && !strings.ContainsRune(text, esc) &&
			!strings.HasPrefix(text, "\ufeff") {
			w.lit = text
			return w
		}
	}
	if strings.ContainsRune(text, 0) || !utf8.ValidString(text) {
		// BuildKit's lexer reads words with text/scanner, which prints
		// these to stderr; BuildKit would not get this far with them.
		w.err = errBadText
		return w
	}
	if !raw && simpleWords {
		if lit, ok := unquoted(text); ok {
			w.lit = lit
			return w
		}
		if names, parts, ok := simpleVars(text, esc); ok {
			w.v = &wordVars{names: names, refs: scanRefs(src, byte(esc), raw, start), parts: parts}
			return w
		}
	}
	rec := &recordEnv{}
	res, err := processWord(esc, raw, text, rec)
	w.err = err
	if len(rec.names) > 0 {
		w.v = &wordVars{names: rec.names, refs: scanRefs(src, byte(esc), raw, start)}
	}
	switch {
	case err != nil:
	case w.v == nil:
		w.lit = res
	case hasModifier(text):
		w.v.complex = true
	default:
		w.v.parts = splitSentinels(res)
	}
	return w
}

// simpleWords turns simpleVars on; tests turn it off to compare.
var simpleWords = true

// simpleVars reads a word whose expansion only replaces plain $NAME
// references (a letter or '_', then letters, digits and '_'), in printable
// ASCII with nothing else the lexer treats specially (quotes, escape tokens,
// braces, '<'): it returns what the lexer gives compileWord for it, the
// variables in order of first use and the literals and references in
// order, without running the lexer (which on such a word does nothing
// else). ok is false for any other word.
func simpleVars(text string, esc rune) (names []string, parts []wordPart, ok bool) {
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c < '!' || c > '~', c == '\'' || c == '"' || c == '\\' || c == '`' || c == '{' || c == '}' || c == '<',
			rune(c) == esc:
			return nil, nil, false
		}
	}
	lit := 0 // start of the pending literal
	for i := 0; i < len(text); {
		if text[i] != '$' {
			i++
			continue
		}
		j := i + 1
		if j == len(text) || !(text[j] == '_' || 'a' <= text[j] && text[j] <= 'z' || 'A' <= text[j] && text[j] <= 'Z') {
			return nil, nil, false // $, $1, $@ ...: the lexer's
		}
		j += scanName(text[j:])
		if i > lit {
			parts = append(parts, wordPart{lit: text[lit:i], ref: -1})
		}
		name := text[i+1 : j]
		k := slices.Index(names, name)
		if k < 0 {
			names = append(names, name)
			k = len(names) - 1
		}
		parts = append(parts, wordPart{ref: k})
		i, lit = j, j
	}
	if lit < len(text) {
		parts = append(parts, wordPart{lit: text[lit:], ref: -1})
	}
	return names, parts, len(names) > 0
}

// unquoted returns what the lexer makes of a word without variables or
// escape tokens, in printable ASCII, blanks and tabs: the word with its
// quotes removed (everything between two ' or two " is taken as it is).
// ok is false for any other word, and for an unterminated quote (the
// lexer's error).
func unquoted(text string) (lit string, ok bool) {
	var b []byte
	var quote byte // the open quote; 0 outside quotes
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c < ' ' && c != '\t' || c > '~', c == '$' || c == '\\' || c == '`':
			return "", false
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '\'' || c == '"'):
			quote = c
		default:
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		if b == nil { // the first quote: the text before it is kept
			b = append(make([]byte, 0, len(text)), text[:i]...)
		}
	}
	if quote != 0 {
		return "", false
	}
	if b == nil {
		return text, true
	}
	return string(b), true
}

// splitSentinels turns the lexer's output with sentinel values into parts.
func splitSentinels(s string) []wordPart {
	var parts []wordPart
	for s != "" {
		i := strings.Index(s, sentinelOpen)
		if i < 0 {
			parts = append(parts, wordPart{lit: s, ref: -1})
			break
		}
		if i > 0 {
			parts = append(parts, wordPart{lit: s[:i], ref: -1})
		}
		j := strings.Index(s[i:], sentinelClose)
		if j < 0 {
			parts = append(parts, wordPart{lit: s[i:], ref: -1})
			break
		}
		n, _ := strconv.Atoi(s[i+1 : i+j])
		parts = append(parts, wordPart{ref: n})
		s = s[i+j+1:]
	}
	return parts
}

// hasModifier reports whether the word may use a ${name<op>...} form whose
// result depends on whether the variable is set.
func hasModifier(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '$' || s[i+1] != '{' {
			continue
		}
		j := i + 2
		for j < len(s) && (isNameByte(s[j]) || s[j] >= utf8.RuneSelf) {
			j++
		}
		if j == i+2 && j < len(s) {
			j++ // a special parameter such as ${#} or ${@}
		}
		if j >= len(s) || s[j] != '}' {
			return true
		}
	}
	return false
}

func isNameByte(b byte) bool {
	return b == '_' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

// RefState says what is known about a variable where it is used.
type RefState uint8

const (
	// RefUndefined: no ARG, ENV or base image defines it.
	RefUndefined RefState = iota
	// RefDefined: defined with a value (which may itself be unknown).
	RefDefined
	// RefDeclared: declared by an ARG without a value; it expands to
	// nothing, and BuildKit does not report it.
	RefDeclared
	// RefUnknown: the base image is not known, so it may define it.
	RefUnknown
)

// evaluate expands the word. get reports a variable's value and state; the
// result is unknown when a variable it needs is unknown.
func (w *word) evaluate(get func(string) (Value, RefState)) Value {
	if w.err != nil {
		return Value{}
	}
	if w.v == nil {
		return Value{S: w.lit, Known: true}
	}
	if wv := w.v; !wv.complex {
		if len(wv.parts) == 1 && wv.parts[0].ref >= 0 {
			v, st := get(wv.names[wv.parts[0].ref])
			if st == RefUnknown || !v.Known && st == RefDefined {
				return Value{}
			}
			return Value{S: v.S, Known: true}
		}
		var b strings.Builder
		for _, p := range wv.parts {
			if p.ref < 0 {
				b.WriteString(p.lit)
				continue
			}
			v, st := get(wv.names[p.ref])
			if st == RefUnknown || !v.Known && st == RefDefined {
				return Value{}
			}
			b.WriteString(v.S)
		}
		return Value{S: b.String(), Known: true}
	}
	env := &valueEnv{get: get}
	for _, n := range w.v.names {
		if v, st := get(n); st == RefUnknown || st == RefDefined && !v.Known {
			return Value{}
		}
	}
	res, err := processWord(w.esc, w.raw, w.text, env)
	if err != nil {
		return Value{}
	}
	return Value{S: res, Known: true}
}

// valueEnv adapts a lookup function to the lexer's EnvGetter.
type valueEnv struct {
	get func(string) (Value, RefState)
}

func (e *valueEnv) Get(name string) (string, bool) {
	v, st := e.get(name)
	return v.S, st == RefDefined
}

func (e *valueEnv) Keys() []string { return nil }

// scanRefs finds the variable references in src: `$name`, `${name...}`,
// skipping escaped dollars and single-quoted text as the lexer does. base is
// added to the offsets.
func scanRefs(src string, esc byte, raw bool, base int) []wordRef {
	var out []wordRef
	inSingle := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if inSingle {
			if c == '\'' {
				inSingle = false
			}
			continue
		}
		switch {
		case c == esc && !raw || raw && c == '\\':
			i++
		case c == '\'' && !raw:
			inSingle = true
		case c == '$' && i+1 < len(src):
			if src[i+1] == '{' {
				j := i + 2
				n := scanName(src[j:])
				name := src[j : j+n]
				depth, k := 1, j+n
				for k < len(src) && depth > 0 {
					switch src[k] {
					case '{':
						depth++
					case '}':
						depth--
					}
					k++
				}
				if name != "" {
					out = append(out, wordRef{name: name, start: base + i, end: base + k})
				}
				i = j + n - 1
				continue
			}
			n := scanName(src[i+1:])
			if n > 0 {
				out = append(out, wordRef{name: src[i+1 : i+1+n], start: base + i, end: base + i + 1 + n})
				i += n
			}
		}
	}
	return out
}

// scanName returns the length of the name at the start of s, read as the
// lexer's processName does.
func scanName(s string) int {
	if s == "" {
		return 0
	}
	if '0' <= s[0] && s[0] <= '9' {
		n := 0
		for n < len(s) && '0' <= s[n] && s[n] <= '9' {
			n++
		}
		return n
	}
	switch s[0] {
	case '@', '*', '#', '?', '-', '$', '!':
		return 1
	}
	n := 0
	for n < len(s) {
		r, w := utf8.DecodeRuneInString(s[n:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' {
			break
		}
		n += w
	}
	return n
}

// refFor returns the source range of the first reference to name in the
// word, or the word's whole range if none is found.
func (w *word) refFor(name string) (int, int) {
	if w.v == nil {
		return w.start, w.end
	}
	for _, r := range w.v.refs {
		if r.name == name {
			return r.start, r.end
		}
	}
	return w.start, w.end
}
