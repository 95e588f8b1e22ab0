// This file defines the fix of NoEmptyContinuation: the empty lines inside
// a continued instruction are deleted. BuildKit skips them today, so the
// instruction means the same without them.
package codeactions

import (
	"fmt"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

func init() { register("NoEmptyContinuation", fixEmptyContinuation) }

func fixEmptyContinuation(in *Input, d analysis.Diagnostic) []*Action {
	f := in.File
	inst := f.InstructionAt(d.Start)
	if inst == nil || inst.Node() == nil {
		return nil
	}
	esc := byte(f.Escape)
	var edits []Edit
	last := inst.EndLine()
	for l := inst.StartLine(); l <= last && continues(f.Line(l), esc); {
		// The lines after a continued line: BuildKit skips comments
		// and empty lines until the next line of the instruction.
		l++
		for l <= last && (isBlank(f.Line(l)) || isComment(f.Line(l))) {
			if isBlank(f.Line(l)) {
				edits = append(edits, Edit{Start: f.LineStart(l), End: lineBreakAfter(f, l)})
			}
			l++
		}
	}
	if len(edits) == 0 {
		return nil
	}
	// Adjacent deletions become one.
	merged := edits[:1]
	for _, e := range edits[1:] {
		if p := &merged[len(merged)-1]; p.End == e.Start {
			p.End = e.End
		} else {
			merged = append(merged, e)
		}
	}
	n := len(edits)
	return []*Action{{
		Title:     fmt.Sprintf("Delete %d empty continuation %s of %s", n, plural(n, "line", "lines"), strings.ToUpper(inst.Keyword())),
		Edits:     merged,
		Safe:      true,
		Preferred: true,
	}}
}

// continues reports whether a line continues on the next one, as
// BuildKit's line-continuation pattern decides: it ends with the escape
// token and blanks, and the token is not itself escaped.
func continues(line string, esc byte) bool {
	t := strings.TrimRight(line, " \t\r")
	if t == "" || t[len(t)-1] != esc {
		return false
	}
	return len(t) == 1 || t[len(t)-2] != esc
}
