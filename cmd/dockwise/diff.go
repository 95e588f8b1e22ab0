// This file defines unifiedDiff, the `dockwise fix --diff` output: the
// line edits of codeactions.Diff laid out as a unified diff with three
// lines of context.
package main

import (
	"fmt"
	"strings"

	"github.com/dockwise/dockwise/codeactions"
)

// diffContext is the number of unchanged lines shown around a change.
const diffContext = 3

// diffLine is one line of the edit script: ' ' kept, '-' removed, '+'
// added. text keeps its line terminator, if any.
type diffLine struct {
	op   byte
	text string
}

// unifiedDiff returns the unified diff that turns old into new, or "" when
// they are equal.
func unifiedDiff(oldName, newName, old, new string) string {
	edits := codeactions.Diff(old, new)
	if len(edits) == 0 {
		return ""
	}
	// The whole script, line by line.
	var script []diffLine
	pos := 0
	keep := func(upTo int) {
		for _, l := range lines(old[pos:upTo]) {
			script = append(script, diffLine{' ', l})
		}
	}
	for _, e := range edits {
		keep(e.Start)
		for _, l := range lines(old[e.Start:e.End]) {
			script = append(script, diffLine{'-', l})
		}
		for _, l := range lines(e.NewText) {
			script = append(script, diffLine{'+', l})
		}
		pos = e.End
	}
	keep(len(old))

	var b strings.Builder
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", oldName, newName)
	// Hunks: changes closer than twice the context share one.
	for i := 0; i < len(script); {
		if script[i].op == ' ' {
			i++
			continue
		}
		start := max(i-diffContext, 0)
		end := i
		for j := i; j < len(script); j++ {
			if script[j].op != ' ' {
				end = j + 1
				continue
			}
			if j-end >= 2*diffContext {
				break
			}
		}
		end = min(end+diffContext, len(script))
		oldStart, newStart := 1, 1
		for _, l := range script[:start] {
			if l.op != '+' {
				oldStart++
			}
			if l.op != '-' {
				newStart++
			}
		}
		oldN, newN := 0, 0
		for _, l := range script[start:end] {
			if l.op != '+' {
				oldN++
			}
			if l.op != '-' {
				newN++
			}
		}
		fmt.Fprintf(&b, "@@ -%s +%s @@\n", hunkRange(oldStart, oldN), hunkRange(newStart, newN))
		for _, l := range script[start:end] {
			b.WriteByte(l.op)
			b.WriteString(l.text)
			if !strings.HasSuffix(l.text, "\n") {
				b.WriteString("\n\\ No newline at end of file\n")
			}
		}
		i = end
	}
	return b.String()
}

// hunkRange formats a hunk's line range: "start,count", with the start of
// an empty range being the line before it.
func hunkRange(start, n int) string {
	if n == 0 {
		start--
	}
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

// lines splits s after each "\n"; the last line may lack one.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	ls := strings.SplitAfter(s, "\n")
	if ls[len(ls)-1] == "" {
		ls = ls[:len(ls)-1]
	}
	return ls
}
