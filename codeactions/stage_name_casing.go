// This file defines the fix of StageNameCasing: the stage is renamed in
// lowercase with every reference to it (FROM <stage>, COPY --from=,
// RUN --mount=from=), so that the Dockerfile reads the same everywhere.
// References are the semantic model's (Stage.Parent, Stage.Deps), plus
// `FROM Name` written in the stage name's case, which BuildKit does not
// resolve to the stage (it looks FROM up case-sensitively among lowercased
// names) and then rejects as an image name: renaming it repairs it.
package codeactions

import (
	"fmt"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

func init() { register("StageNameCasing", fixStageName) }

func fixStageName(in *Input, d analysis.Diagnostic) []*Action {
	inst := d.Instruction
	if inst == nil {
		return nil
	}
	_, _, nameR, ok := inst.FromRanges()
	if !ok || nameR[1] <= nameR[0] {
		return nil
	}
	f := in.File
	name := f.Text[nameR[0]:nameR[1]]
	lower := strings.ToLower(name)
	if name == lower {
		return nil
	}
	m := f.Semantics()
	s := m.StageOf(inst)
	if s == nil || s.From != inst || s.Name != lower {
		return nil // the name's range is not known for sure
	}
	edits := []Edit{{Start: nameR[0], End: nameR[1], NewText: lower}}
	rename := func(start, end int) {
		if f.Text[start:end] != lower {
			edits = append(edits, Edit{Start: start, End: end, NewText: lower})
		}
	}
	var latest *analysis.Stage // the last stage so far named like s
	for _, t := range m.Stages {
		// FROM <stage>, written as the name (not through a variable).
		// BuildKit looks the base up as written among the lowercased
		// stage names, so `FROM Build` is not the stage but an image
		// reference it rejects: renaming it makes it the stage meant.
		if latest == s && t.BaseEnd > t.BaseStart && strings.EqualFold(f.Text[t.BaseStart:t.BaseEnd], name) &&
			(t.Parent == s || t.Parent == nil && t.BaseName == f.Text[t.BaseStart:t.BaseEnd]) {
			rename(t.BaseStart, t.BaseEnd)
		}
		if t.Name == lower {
			latest = t
		}
		for _, dep := range t.Deps {
			if dep.Stage != s || !strings.EqualFold(dep.Ref, name) {
				continue
			}
			if start, end, ok := locateRef(f.Text, dep.Start, dep.End, dep.Ref); ok {
				rename(start, end)
			}
		}
	}
	title := fmt.Sprintf("Rename stage '%s' to '%s'", name, lower)
	if n := len(edits); n > 1 {
		title += fmt.Sprintf(" (%d places)", n)
	}
	return []*Action{{Title: title, Edits: edits, Safe: true, Preferred: true}}
}

// locateRef finds the stage reference ref in [start, end) of text, which
// is the reference itself or a flag holding it (`--from=ref`,
// `--mount=type=cache,from=ref,...`): the last occurrence after '=' (or a
// quote) and before the end, ',' or a quote.
func locateRef(text string, start, end int, ref string) (int, int, bool) {
	src := text[start:end]
	if src == ref {
		return start, end, true
	}
	for i := strings.LastIndex(src, ref); i >= 0; i = strings.LastIndex(src[:i], ref) {
		j := i + len(ref)
		before := i > 0 && strings.ContainsRune(`="'`, rune(src[i-1]))
		after := j == len(src) || strings.ContainsRune(`,"'`, rune(src[j]))
		if before && after {
			return start + i, start + j, true
		}
		if i == 0 {
			break
		}
	}
	return 0, 0, false
}
