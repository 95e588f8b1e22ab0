// This file defines the word layout of an instruction: where its keyword,
// flags and arguments are in the source text, as BuildKit's parser splits
// them. It is computed once per instruction and cached with its chunk, with
// offsets relative to the chunk, so positions survive edits elsewhere.
package analysis

import (
	"encoding/json"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/tonistiigi/go-csvvalue"
)

// instLayout is the layout of one instruction. BuildKit joins the physical
// lines of an instruction into one logical line (continuations removed,
// comment and empty lines inside it skipped); spans are offsets into that
// logical line, and pos maps them back to the source.
type instLayout struct {
	logical string
	segs    []lineSeg  // logical text pieces and where they are in the chunk
	seg0    [1]lineSeg // room for the piece of a one-line instruction

	keyword span   // the instruction keyword
	flags   []span // `--name=value` words, in order
	rest    span   // the arguments after the flags, trimmed

	// bodyStart and bodyEnd delimit the heredoc bodies (chunk-relative
	// offsets); bodyStart == bodyEnd when there are none.
	bodyStart, bodyEnd int

	// emptyCont is the chunk-relative offset of the continuation token
	// that continues onto the first empty line inside the instruction, or
	// -1 when there is none.
	emptyCont int
}

// span is a half-open range of the logical line.
type span struct{ start, end int }

func (s span) empty() bool { return s.end <= s.start }

// lineSeg is a piece of the logical line: logical[log:log+n] is the source
// text at chunk-relative offset rel.
type lineSeg struct{ log, rel, n int }

// rel maps a logical offset to a chunk-relative source offset. An offset at
// the end of a segment maps to the end of that segment (not the start of the
// next), so that ranges never swallow a line break they do not need.
func (x *instLayout) rel(off int, isEnd bool) int {
	for i, s := range x.segs {
		if off < s.log+s.n || (isEnd && off == s.log+s.n) || i == len(x.segs)-1 {
			return s.rel + min(max(off-s.log, 0), s.n)
		}
	}
	return 0
}

// relSpan maps a logical span to a chunk-relative [start, end).
func (x *instLayout) relSpan(s span) (int, int) {
	if s.empty() {
		p := x.rel(s.start, false)
		return p, p
	}
	return x.rel(s.start, false), x.rel(s.end, true)
}

func (x *instLayout) text(s span) string { return x.logical[s.start:s.end] }

// layout returns the instruction's layout, or nil if it did not parse. It
// is not cached: what the analysis needs from it is kept in the plan (and a
// RUN's mounts), which are made from one layout; the rest is asked for
// rarely (quick fixes, rare findings).
func (in *Instruction) layout() *instLayout {
	if in.Node() == nil {
		return nil
	}
	return computeLayout(in, &instLayout{})
}

// layoutPool holds the layouts of computePlan, which needs one per
// instruction and keeps nothing of it.
var layoutPool = sync.Pool{New: func() any { return &instLayout{} }}

// computeLayout fills x, which it returns.
func computeLayout(in *Instruction, x *instLayout) *instLayout {
	f := in.file
	base := in.ref.off
	esc := byte(f.Escape)
	*x = instLayout{emptyCont: -1}
	var b strings.Builder
	var only string // the logical line while it is one piece of the text

	first, last := in.StartLine(), in.EndLine()
	l := first
	start := f.LineStart(l)
	for start < f.LineEnd(l) && isSpaceByte(f.Text[start]) {
		start++
	}
	for {
		end := f.LineEnd(l)
		for end > start && (f.Text[end-1] == '\r' || f.Text[end-1] == '\n') {
			end--
		}
		content := f.Text[start:end]
		keep, cont := trimContinuation(content, esc)
		if len(x.segs) == 0 {
			x.segs = x.seg0[:0]
		}
		x.segs = append(x.segs, lineSeg{log: b.Len() + len(only), rel: start - base, n: keep})
		if len(x.segs) == 1 {
			only = content[:keep]
		} else {
			if only != "" {
				b.WriteString(only)
				only = ""
			}
			b.WriteString(content[:keep])
		}
		if !cont {
			break
		}
		// Find the next line that continues the instruction.
		escAt := start + strings.LastIndexByte(content, esc) - base
		l++
		for l <= last {
			if isCommentLine(f.Line(l)) {
				l++
				continue
			}
			if strings.TrimLeftFunc(f.Line(l), unicode.IsSpace) != "" {
				break
			}
			if x.emptyCont < 0 {
				x.emptyCont = escAt
			}
			l++
		}
		if l > last {
			break
		}
		start = f.LineStart(l)
	}
	if len(x.segs) == 1 {
		x.logical = only // no copy for a one-line instruction
	} else {
		x.logical = b.String()
	}
	x.bodyStart, x.bodyEnd = f.LineStart(l+1)-base, f.LineStart(last+1)-base
	if l >= last {
		x.bodyStart = x.bodyEnd
	}

	// Keyword: after leading space (BuildKit trims the joined line, which
	// starts with the indent of a continuation line when the first line
	// is a lone escape), up to the first [\t\v\f\r ].
	lg := x.logical
	k := 0
	for k < len(lg) {
		r, n := utf8.DecodeRuneInString(lg[k:])
		if !unicode.IsSpace(r) {
			break
		}
		k += n
	}
	ks := k
	for k < len(lg) && !isWS(lg[k]) {
		k++
	}
	x.keyword = span{ks, k}
	for k < len(lg) && isWS(lg[k]) {
		k++
	}
	x.flags, k = flagSpans(lg, k, esc)
	// The rest, trimmed of Unicode space as strings.TrimSpace does.
	e := len(lg)
	for k < e {
		r, n := utf8.DecodeRuneInString(lg[k:])
		if !unicode.IsSpace(r) {
			break
		}
		k += n
	}
	for e > k {
		r, n := utf8.DecodeLastRuneInString(lg[:e])
		if !unicode.IsSpace(r) {
			break
		}
		e -= n
	}
	x.rest = span{k, e}
	return x
}

// trimContinuation applies BuildKit's line-continuation rule: a line whose
// last non-blank character is the escape token (not itself escaped)
// continues on the next line. It returns the length to keep.
func trimContinuation(line string, esc byte) (keep int, cont bool) {
	e := len(line)
	for e > 0 && (line[e-1] == ' ' || line[e-1] == '\t') {
		e--
	}
	if e == 0 || line[e-1] != esc {
		return len(line), false
	}
	if e == 1 {
		return 0, true
	}
	if line[e-2] == esc {
		return len(line), false
	}
	return e - 1, true
}

func isCommentLine(s string) bool {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	return len(s) > 0 && s[0] == '#'
}

// isWS reports whether b is in BuildKit's reWhitespace class [\t\v\f\r ].
func isWS(b byte) bool { return b == ' ' || b == '\t' || b == '\v' || b == '\f' || b == '\r' }

func isSpaceByte(b byte) bool {
	return b == ' ' || b == '\t' || b == '\v' || b == '\f' || b == '\r' || b == '\n'
}

// flagSpans finds the `--flag` words at the start of the arguments, as
// BuildKit's extractBuilderFlags does, and returns where the arguments that
// follow them begin.
func flagSpans(s string, pos int, esc byte) ([]span, int) {
	var out []span
	for {
		for pos < len(s) && unicode.IsSpace(rune(s[pos])) {
			pos++
		}
		if pos+1 >= len(s) || s[pos] != '-' || s[pos+1] != '-' {
			return out, pos
		}
		start := pos
		var quote byte
		for pos < len(s) {
			c := s[pos]
			if quote != 0 {
				if c == quote {
					quote = 0
				} else if c == esc {
					pos++
				}
				pos++
				continue
			}
			if unicode.IsSpace(rune(c)) {
				break
			}
			if c == '\'' || c == '"' {
				quote = c
			} else if c == esc {
				pos++
			}
			pos++
		}
		pos = min(pos, len(s))
		if s[start:pos] == "--" {
			// A bare "--" ends the flags.
			return out, pos
		}
		out = append(out, span{start, pos})
	}
}

// wsFields splits the span on [\t\v\f\r ]+, as BuildKit's
// parseStringsWhitespaceDelimited does.
func (x *instLayout) wsFields(s span) []span {
	var out []span
	i := s.start
	for i < s.end {
		for i < s.end && isWS(x.logical[i]) {
			i++
		}
		if i >= s.end {
			break
		}
		j := i
		for j < s.end && !isWS(x.logical[j]) {
			j++
		}
		out = append(out, span{i, j})
		i = j
	}
	return out
}

// words splits the span as BuildKit's parseWords does (quotes kept, spaces
// inside quotes do not split).
func (x *instLayout) words(s span, esc byte) []span {
	var out []span
	str := x.logical
	const (
		inSpaces = iota
		inWord
		inQuote
	)
	phase := inSpaces
	var quote rune
	start := 0
	for pos := s.start; pos <= s.end; {
		var ch rune
		w := 1
		if pos < s.end {
			ch, w = utf8.DecodeRuneInString(str[pos:s.end])
		}
		if phase == inSpaces {
			if pos == s.end {
				break
			}
			if unicode.IsSpace(ch) {
				pos += w
				continue
			}
			phase = inWord
			start = pos
		}
		if pos == s.end {
			if pos > start {
				out = append(out, span{start, pos})
			}
			break
		}
		switch phase {
		case inWord:
			if unicode.IsSpace(ch) {
				phase = inSpaces
				out = append(out, span{start, pos})
				pos += w
				continue
			}
			if ch == '\'' || ch == '"' {
				quote = ch
				phase = inQuote
			}
			if ch == rune(esc) && pos+w < s.end {
				pos += w
				_, w = utf8.DecodeRuneInString(str[pos:s.end])
			}
		case inQuote:
			if ch == quote {
				phase = inWord
			}
			if ch == rune(esc) && quote != '\'' && pos+w < s.end {
				pos += w
				_, w = utf8.DecodeRuneInString(str[pos:s.end])
			}
		}
		pos += w
	}
	return out
}

// jsonStrings returns the spans of the string contents (inside the quotes)
// of a JSON array of strings, or nil if the span is not one.
func (x *instLayout) jsonStrings(s span) []span {
	str := x.logical[s.start:s.end]
	t := strings.TrimLeftFunc(str, unicode.IsSpace)
	if !strings.HasPrefix(t, "[") {
		return nil
	}
	var arr []any
	if json.Unmarshal([]byte(t), &arr) != nil {
		return nil
	}
	out := []span{}
	for i := 0; i < len(str); i++ {
		if str[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(str) && str[j] != '"' {
			if str[j] == '\\' {
				j++
			}
			j++
		}
		out = append(out, span{s.start + i + 1, s.start + min(j, len(str))})
		i = j
	}
	if len(out) != len(arr) {
		return nil
	}
	return out
}

// mountField is one key=value field of a RUN --mount flag. val and field are
// the spans of its value and of the whole field; both are the whole flag
// when the flag is quoted and its fields cannot be located exactly.
type mountField struct {
	key, value string
	hasValue   bool
	val, field span
}

// mountFlags calls fn for every --mount flag of the instruction whose value
// BuildKit can read as CSV, with the flag's span and its fields.
func (x *instLayout) mountFlags(node *parser.Node, fn func(flag span, fields []mountField)) {
	aligned := len(x.flags) == len(node.Flags)
	for i, fl := range node.Flags {
		n, v, _ := strings.Cut(strings.TrimPrefix(fl, "--"), "=")
		if n != "mount" {
			continue
		}
		fs := x.rest
		if aligned {
			fs = x.flags[i]
		}
		fields, err := csvvalue.Fields(v, nil)
		if err != nil {
			continue
		}
		exact := aligned && x.text(fs) == "--mount="+v && !strings.ContainsAny(v, `"`)
		off := fs.start + len("--mount=")
		out := make([]mountField, len(fields))
		for j, field := range fields {
			key, val, ok := strings.Cut(field, "=")
			mf := mountField{key: key, value: val, hasValue: ok, val: fs, field: fs}
			if exact {
				mf.field = span{off, off + len(field)}
				mf.val = span{off + len(key) + 1, off + len(field)}
				off += len(field) + 1
			}
			out[j] = mf
		}
		fn(fs, out)
	}
}
