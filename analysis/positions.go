// This file defines the exported position helpers of Instruction: where
// its keyword, stage name, keys and other parts are in the source, so that
// rules can report on the offending word rather than the whole line. All
// offsets are byte offsets into File.Text.
package analysis

import "strings"

// KeywordRange returns the range of the instruction keyword.
func (in *Instruction) KeywordRange() (start, end int) {
	if in.Node() == nil {
		return in.Start(), in.Start()
	}
	p := in.plan()
	if p.kwEnd > p.kwStart {
		return in.ref.off + int(p.kwStart), in.ref.off + int(p.kwEnd)
	}
	x := in.layout()
	s, e := x.relSpan(x.keyword)
	return in.ref.off + s, in.ref.off + e
}

// FromRanges returns, for a FROM instruction, the ranges of its first
// three arguments as BuildKit splits them: the base name, the AS keyword
// and the stage name. Missing arguments get the empty range at the end of
// the keyword. ok is false for other instructions. It works for a FROM
// that BuildKit rejects, too (its parse-time warnings come first).
func (in *Instruction) FromRanges() (base, as, name [2]int, ok bool) {
	x := in.layout()
	if x == nil || !in.Is("from") {
		return base, as, name, false
	}
	_, ke := in.KeywordRange()
	r := [3][2]int{{ke, ke}, {ke, ke}, {ke, ke}}
	for i, s := range x.wsFields(x.rest) {
		if i == 3 {
			break
		}
		a, b := x.relSpan(s)
		r[i] = [2]int{in.ref.off + a, in.ref.off + b}
	}
	return r[0], r[1], r[2], true
}

// KeyValue is one pair of an ENV or LABEL instruction.
type KeyValue struct {
	Key, Value string // as written, before expansion
	// NoDelim marks the legacy `KEY value` form (no `=`).
	NoDelim bool
	// KeyStart and KeyEnd locate the key.
	KeyStart, KeyEnd int
}

// Pairs returns the pairs of an ENV or LABEL instruction.
func (in *Instruction) Pairs() []KeyValue {
	p := in.plan()
	out := make([]KeyValue, 0, len(p.pairs))
	for _, kv := range p.pairs {
		out = append(out, KeyValue{Key: kv.key.text, Value: kv.value.text, NoDelim: kv.noDelim,
			KeyStart: in.ref.off + kv.keyStart, KeyEnd: in.ref.off + kv.keyEnd})
	}
	return out
}

// ShellForm reports whether a CMD or ENTRYPOINT is in shell form, and the
// range of its command text.
func (in *Instruction) ShellForm() (start, end int, ok bool) {
	p := in.plan()
	if !p.shellForm {
		return 0, 0, false
	}
	return in.ref.off + int(p.argsStart), in.ref.off + int(p.argsEnd), true
}

// DescriptionRange returns the range of the comment line directly above
// the instruction that BuildKit takes as its description (the last of its
// comments), or false.
func (in *Instruction) DescriptionRange() (start, end int, ok bool) {
	cs := in.Comments()
	if len(cs) == 0 {
		return 0, 0, false
	}
	want := cs[len(cs)-1]
	f := in.file
	for l := in.StartLine() - 1; l >= in.ChunkStartLine(); l-- {
		line := f.Line(l)
		t := strings.TrimLeft(line, " \t\r\f\v")
		if !strings.HasPrefix(t, "#") || strings.TrimSpace(t[1:]) != want {
			continue
		}
		s := f.LineStart(l) + len(line) - len(t)
		e := f.LineStart(l) + len(strings.TrimRight(line, " \t\r\f\v"))
		return s, e, true
	}
	return 0, 0, false
}

// EmptyContinuationRange returns the range of the line-continuation token
// that continues the instruction onto its first empty line, or false when
// the instruction has no empty continuation line.
func (in *Instruction) EmptyContinuationRange() (start, end int, ok bool) {
	x := in.layout()
	if x == nil || x.emptyCont < 0 {
		return 0, 0, false
	}
	s := in.ref.off + x.emptyCont
	return s, s + 1, true
}
