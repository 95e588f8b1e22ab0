// This file defines what is done with edits: checking that they are in
// range and do not overlap, applying them to a text or to a File, and
// mapping an offset of the old text to the new one.
package codeactions

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

// sortedEdits returns the edits sorted by position, or an error when one
// is out of [0, size] or two overlap. Two insertions at one offset
// overlap: their order would be a guess.
func sortedEdits(edits []Edit, size int) ([]Edit, error) {
	es := slices.Clone(edits)
	slices.SortStableFunc(es, func(a, b Edit) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return a.End - b.End
	})
	for i, e := range es {
		if e.Start < 0 || e.End < e.Start || e.End > size {
			return nil, fmt.Errorf("edit [%d,%d) out of range [0,%d]", e.Start, e.End, size)
		}
		if i > 0 {
			p := es[i-1]
			if e.Start < p.End || e.Start == p.Start {
				return nil, fmt.Errorf("edits [%d,%d) and [%d,%d) overlap", p.Start, p.End, e.Start, e.End)
			}
		}
	}
	return es, nil
}

// Apply returns text with the edits applied. The edits must not overlap.
func Apply(text string, edits []Edit) (string, error) {
	es, err := sortedEdits(edits, len(text))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for _, e := range es {
		b.WriteString(text[last:e.Start])
		b.WriteString(e.NewText)
		last = e.End
	}
	b.WriteString(text[last:])
	return b.String(), nil
}

// maxIncrementalEdits is the number of edits up to which applyFile derives
// the new File edit by edit (reusing the parse of everything else); more
// are applied to the text, which is parsed whole.
const maxIncrementalEdits = 16

// applyFile returns the File that results from the edits.
func applyFile(f *analysis.File, edits []Edit) (*analysis.File, error) {
	es, err := sortedEdits(edits, len(f.Text))
	if err != nil {
		return nil, err
	}
	if len(es) > maxIncrementalEdits {
		text, _ := Apply(f.Text, es)
		return analysis.Parse(text), nil
	}
	// From the last to the first, so that earlier offsets stay valid.
	nf := f
	for i := len(es) - 1; i >= 0; i-- {
		e := es[i]
		nf, _ = nf.Edit(e.Start, e.End, e.NewText)
	}
	return nf, nil
}

// mapOffset maps offset off of the old text to the new one. An offset
// inside a replaced range moves to the start of its replacement, or to its
// end when end is set (the end of a range). An insertion at off itself
// comes before the mapped offset of a start and after that of an end.
func mapOffset(es []Edit, off int, end bool) int {
	delta := 0
	for _, e := range es {
		switch {
		case e.End < off || e.End == off && e.Start < off:
			delta += len(e.NewText) - (e.End - e.Start)
		case e.Start == off && e.End == off:
			if !end {
				delta += len(e.NewText)
			}
		case e.Start < off || e.Start == off && e.End > off:
			// off is inside the replaced range (or at its start).
			if end && off > e.Start {
				return e.Start + delta + len(e.NewText)
			}
			return e.Start + delta
		default:
			return off + delta
		}
	}
	return off + delta
}

// eol returns the line terminator the file uses: "\r\n" when its first
// line ends so, else "\n".
func eol(f *analysis.File) string {
	if f.NumLines() > 0 {
		e := f.LineEnd(0)
		if strings.HasPrefix(f.Text[e:], "\r\n") {
			return "\r\n"
		}
	}
	return "\n"
}

// lineBreakAfter returns the offset just after the line terminator of
// 0-based line l (the end of the text on the last line).
func lineBreakAfter(f *analysis.File, l int) int { return f.LineStart(l + 1) }

// isBlank reports whether s holds nothing but spaces and tabs (and a
// carriage return).
func isBlank(s string) bool { return strings.TrimLeft(s, " \t\r\f\v") == "" }

// isComment reports whether a line is a comment line.
func isComment(s string) bool { return strings.HasPrefix(strings.TrimLeft(s, " \t\r\f\v"), "#") }

// plural returns one when n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
