// This file defines the suppressions offered for every finding but parse
// errors: "Ignore <Rule> for this instruction" and "Ignore <Rule> for this
// file". BuildKit's rules are suppressed the way `docker build` reads,
// with `# check=skip=Rule` (a comment above the instruction, or the parser
// directive at the top of the file); dockwise's own, and BuildKit's
// experimental ones (which BuildKit does not skip), with `# dockwise
// ignore=Rule` above the instruction or `# dockwise global ignore=Rule`.
// An existing comment or directive of the same kind is extended rather
// than a second one added (BuildKit reads only the first check comment of
// an instruction, and rejects a second check directive).
//
// Parser directives must stay contiguous at the very top: a new directive
// goes right after the existing ones, and a check comment that would land
// inside the directive block (above the first instruction of a file that
// starts with it) is preceded by an empty line, which ends the block.
package codeactions

import (
	"strings"
	"unicode"

	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// suppressions returns the suppression candidates of d.
func suppressions(in *Input, d analysis.Diagnostic) []*Action {
	if d.Rule == analysis.ParseErrorRule {
		return nil
	}
	r := in.rule(d.Rule)
	if r == nil {
		return nil
	}
	// BuildKit does not apply skip= to experimental rules (they run when
	// listed in experimental=); dockwise's comments work for every rule.
	useCheck := r.BuildKit && !r.Experimental
	var out []*Action
	if d.Instruction != nil {
		var e *Edit
		if useCheck {
			e = skipInstruction(in.File, d.Instruction, r.Name)
		} else {
			e = ignoreInstruction(in.File, d.Instruction, r.Name)
		}
		if e != nil {
			out = append(out, &Action{Title: "Ignore " + r.Name + " for this instruction", Kind: QuickFix,
				Diagnostics: []analysis.Diagnostic{d}, Edits: []Edit{*e}, Suppress: true})
		}
	}
	var e *Edit
	if useCheck {
		e = skipFile(in.File, r.Name)
	} else {
		e = ignoreFile(in.File, r.Name)
	}
	if e != nil {
		out = append(out, &Action{Title: "Ignore " + r.Name + " for this file", Kind: QuickFix,
			Diagnostics: []analysis.Diagnostic{d}, Edits: []Edit{*e}, Suppress: true})
	}
	return out
}

// bomLen returns 3 when the text starts with a UTF-8 byte order mark.
func bomLen(text string) int {
	if strings.HasPrefix(text, "\xEF\xBB\xBF") {
		return 3
	}
	return 0
}

// topOffset returns the offset of the start of 0-based line l, after the
// byte order mark on the first line.
func topOffset(f *analysis.File, l int) int {
	if l == 0 {
		return bomLen(f.Text)
	}
	return f.LineStart(l)
}

// commentText returns the text BuildKit keeps of a comment line: the line
// without its first byte, trimmed. For an indented comment that first
// byte is a blank, so the text keeps its '#'.
func commentText(line string) (text string, ok bool) {
	if !isComment(line) {
		return "", false
	}
	return strings.TrimSpace(line[1:]), true
}

// commentLines returns the 0-based lines of the comments BuildKit attaches
// to an instruction (its PrevComment): the comment lines between the
// previous instruction (or the parser directives) and this one, after the
// last empty comment, which resets them.
func commentLines(f *analysis.File, in *analysis.Instruction) []int {
	var out []int
	for l := max(in.ChunkStartLine(), len(f.Directives)); l < in.StartLine(); l++ {
		text, ok := commentText(f.Line(l))
		if !ok {
			continue
		}
		if text == "" {
			out = out[:0]
			continue
		}
		out = append(out, l)
	}
	return out
}

// insertionLine returns the line above which a new comment for the
// instruction goes: above the comment block directly on top of it (so
// that the comment BuildKit takes as the description stays the last), but
// below an empty comment, which would reset it.
func insertionLine(f *analysis.File, in *analysis.Instruction) int {
	l := in.StartLine()
	for l-1 >= max(in.ChunkStartLine(), len(f.Directives)) {
		if text, ok := commentText(f.Line(l - 1)); !ok || text == "" {
			break
		}
		l--
	}
	return l
}

// insertComment returns the edit that adds the comment line text above
// the instruction. The comment is not indented: BuildKit keeps the '#' of
// an indented comment in the text it attaches, and no longer reads it as a
// check comment.
func insertComment(f *analysis.File, in *analysis.Instruction, text string, directiveLike bool) *Edit {
	l := insertionLine(f, in)
	nl := eol(f)
	line := text + nl
	if directiveLike && l <= len(f.Directives) {
		// Every line above is a parser directive: the comment would be
		// read as one. An empty line ends the directives first.
		line = nl + line
	}
	off := topOffset(f, l)
	return &Edit{Start: off, End: off, NewText: line}
}

// checkComment parses a comment line as BuildKit reads `# check=` comments
// and directives. It returns the range of the options (the value up to its
// first space) in the line, or ok false.
func checkComment(line string) (optStart, optEnd int, ok bool) {
	i := strings.IndexByte(line, '#')
	if i < 0 {
		return 0, 0, false
	}
	var p parser.DirectiveParser
	p.SetComment("")
	d, _ := p.ParseLine([]byte(strings.TrimSpace(line[i+1:])))
	if d == nil || d.Name != "check" {
		return 0, 0, false
	}
	// Find where the value starts: after "check", blanks, "=", blanks.
	j := i + 1
	for j < len(line) && unicode.IsSpace(rune(line[j])) {
		j++
	}
	j += len("check")
	for j < len(line) && unicode.IsSpace(rune(line[j])) {
		j++
	}
	if j >= len(line) || line[j] != '=' {
		return 0, 0, false
	}
	j++
	for j < len(line) && unicode.IsSpace(rune(line[j])) {
		j++
	}
	if !strings.HasPrefix(line[j:], d.Value) {
		return 0, 0, false
	}
	opts, _, _ := strings.Cut(d.Value, " ")
	return j, j + len(opts), true
}

// addSkip returns the edit that adds rule to the skip list of the check
// options at [optStart, optEnd) of the line starting at lineOff, or nil
// when it cannot (skip=all, or no room for another option).
func addSkip(text string, lineOff, optStart, optEnd int, rule string) *Edit {
	opts := text[lineOff+optStart : lineOff+optEnd]
	parts := strings.SplitN(opts, ";", 3)
	pos := lineOff + optStart
	for _, part := range parts {
		k, v, ok := strings.Cut(part, "=")
		if ok && strings.TrimSpace(k) == "skip" {
			v = strings.TrimSpace(v)
			if v == "all" {
				return nil
			}
			end := pos + len(strings.TrimRight(part, " \t"))
			ins := "," + rule
			if v == "" {
				ins = rule
			}
			return &Edit{Start: end, End: end, NewText: ins}
		}
		pos += len(part) + 1
	}
	if len(parts) >= 3 {
		return nil
	}
	end := lineOff + optEnd
	if strings.TrimSpace(opts) == "" {
		return &Edit{Start: end, End: end, NewText: "skip=" + rule}
	}
	return &Edit{Start: end, End: end, NewText: ";skip=" + rule}
}

// skipInstruction suppresses a BuildKit rule for one instruction with a
// `# check=skip=` comment.
func skipInstruction(f *analysis.File, in *analysis.Instruction, rule string) *Edit {
	for _, l := range commentLines(f, in) {
		if s, e, ok := checkComment(f.Line(l)); ok && strings.HasPrefix(f.Line(l), "#") {
			// BuildKit reads the first check comment only: extend it.
			return addSkip(f.Text, f.LineStart(l), s, e, rule)
		}
	}
	return insertComment(f, in, "# check=skip="+rule, true)
}

// skipFile suppresses a BuildKit rule for the file with the `# check=`
// parser directive.
func skipFile(f *analysis.File, rule string) *Edit {
	for _, d := range f.Directives {
		if d.Name != "check" {
			continue
		}
		s, e, ok := checkComment(f.Line(d.Line))
		if !ok {
			return nil
		}
		return addSkip(f.Text, f.LineStart(d.Line), s, e, rule)
	}
	off := topOffset(f, len(f.Directives))
	return &Edit{Start: off, End: off, NewText: "# check=skip=" + rule + eol(f)}
}

// ignoreList finds, in a comment line, the list of a `# dockwise <kind>=`
// comment and returns the offset in the line of the end of the list, or
// ok false. A comment whose list is empty does not count.
func ignoreList(line, kind string) (end int, ok bool) {
	i := strings.IndexByte(line, '#')
	if i < 0 || strings.TrimSpace(line[:i]) != "" {
		return 0, false
	}
	j := i + 1
	skip := func() {
		for j < len(line) && unicode.IsSpace(rune(line[j])) {
			j++
		}
	}
	skip()
	if !strings.HasPrefix(line[j:], "dockwise") {
		return 0, false
	}
	j += len("dockwise")
	skip()
	for k, w := range strings.Fields(kind) {
		if k > 0 {
			skip()
		}
		if !strings.HasPrefix(line[j:], w) {
			return 0, false
		}
		j += len(w)
	}
	skip()
	if j >= len(line) || line[j] != '=' {
		return 0, false
	}
	j++
	skip()
	e := j
	for e < len(line) && !unicode.IsSpace(rune(line[e])) {
		e++
	}
	if e == j {
		return 0, false
	}
	return e, true
}

// ignoreInstruction suppresses a dockwise rule for one instruction with a
// `# dockwise ignore=` comment.
func ignoreInstruction(f *analysis.File, in *analysis.Instruction, rule string) *Edit {
	for _, l := range commentLines(f, in) {
		if e, ok := ignoreList(f.Line(l), "ignore"); ok && strings.HasPrefix(f.Line(l), "#") {
			off := f.LineStart(l) + e
			return &Edit{Start: off, End: off, NewText: "," + rule}
		}
	}
	return insertComment(f, in, "# dockwise ignore="+rule, false)
}

// ignoreFile suppresses a dockwise rule for the file with a `# dockwise
// global ignore=` comment, below the parser directives.
func ignoreFile(f *analysis.File, rule string) *Edit {
	for l := 0; l < f.NumLines(); l++ {
		line := f.Line(l)
		if !strings.Contains(line, "global") {
			continue
		}
		if e, ok := ignoreList(line, "global ignore"); ok {
			off := f.LineStart(l) + e
			return &Edit{Start: off, End: off, NewText: "," + rule}
		}
	}
	off := topOffset(f, len(f.Directives))
	return &Edit{Start: off, End: off, NewText: "# dockwise global ignore=" + rule + eol(f)}
}
