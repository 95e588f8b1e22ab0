// This file defines the fixes of the casing checks: FromAsCasing (AS in
// the case of FROM), ConsistentInstructionCasing (a keyword in the case of
// most keywords) and ExposeProtoCasing (lowercase protocols).
package codeactions

import (
	"fmt"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

func init() {
	register("FromAsCasing", fixFromAs)
	register("ConsistentInstructionCasing", fixInstructionCasing)
	register("ExposeProtoCasing", fixExposeProto)
}

// isUpper and isLower compare s with its case mappings, as BuildKit does.
func isUpper(s string) bool { return s == strings.ToUpper(s) }
func isLower(s string) bool { return s == strings.ToLower(s) }

func fixFromAs(in *Input, d analysis.Diagnostic) []*Action {
	inst := d.Instruction
	if inst == nil {
		return nil
	}
	_, as, _, ok := inst.FromRanges()
	if !ok || as[1] <= as[0] {
		return nil
	}
	kw := inst.Keyword()
	text := in.File.Text[as[0]:as[1]]
	if !strings.EqualFold(text, "as") {
		return nil // the range is not known for sure
	}
	want := strings.ToUpper(text)
	if isLower(kw) {
		want = strings.ToLower(text)
	} else if !isUpper(kw) {
		return nil
	}
	if want == text {
		return nil
	}
	return []*Action{{
		Title:     fmt.Sprintf("Write '%s' as '%s' to match '%s'", text, want, kw),
		Edits:     []Edit{{Start: as[0], End: as[1], NewText: want}},
		Safe:      true,
		Preferred: true,
	}}
}

// fixInstructionCasing writes the keyword in the case of the majority of
// the file's keywords (a tie counts as uppercase, as in the rule). For a
// FROM it also writes AS that way, which FromAsCasing would ask next.
func fixInstructionCasing(in *Input, d analysis.Diagnostic) []*Action {
	f := in.File
	inst := f.InstructionAt(d.Start)
	if inst == nil {
		return nil
	}
	if s, e := inst.KeywordRange(); s != d.Start || e != d.End {
		return nil
	}
	lower, upper := 0, 0
	for _, s := range f.Semantics().Stages {
		l, u := s.KeywordCase()
		lower, upper = lower+l, upper+u
	}
	toCase := strings.ToUpper
	if lower > upper {
		toCase = strings.ToLower
	}
	kw := inst.Keyword()
	want := toCase(kw)
	if want == kw || f.Text[d.Start:d.End] != kw {
		return nil
	}
	edits := []Edit{{Start: d.Start, End: d.End, NewText: want}}
	title := fmt.Sprintf("Write '%s' as '%s'", kw, want)
	if _, as, _, ok := inst.FromRanges(); ok && as[1] > as[0] {
		if text := f.Text[as[0]:as[1]]; strings.EqualFold(text, "as") && toCase(text) != text {
			edits = append(edits, Edit{Start: as[0], End: as[1], NewText: toCase(text)})
			title = fmt.Sprintf("Write '%s … %s' as '%s … %s'", kw, text, want, toCase(text))
		}
	}
	return []*Action{{Title: title, Edits: edits, Safe: true, Preferred: true}}
}

// fixExposeProto lowercases the protocol of an EXPOSE port as written.
func fixExposeProto(in *Input, d analysis.Diagnostic) []*Action {
	if d.End <= d.Start {
		return nil
	}
	src := in.File.Text[d.Start:d.End]
	i := strings.LastIndexByte(src, '/')
	if i < 0 || strings.ContainsAny(src[i:], "$\n") {
		return nil
	}
	want := src[:i+1] + strings.ToLower(src[i+1:])
	if want == src {
		return nil
	}
	return []*Action{{
		Title:     fmt.Sprintf("Write '%s' as '%s'", src, want),
		Edits:     []Edit{{Start: d.Start, End: d.End, NewText: want}},
		Safe:      true,
		Preferred: true,
	}}
}
