// This file defines the edits lspbench makes: one character appended to, then
// removed from, the end of a line near the middle of the file, so the text
// alternates between two valid states.
package main

import (
	"strings"
	"unicode/utf16"
)

// editTarget is the line the benchmark edits.
type editTarget struct {
	Line     int    // 0-based
	Text     string // the line without its line ending
	EndUTF16 int    // length of the line in UTF-16 code units
	EndByte  int    // byte offset of the end of the line in the file
}

// chooseTarget picks the line to edit: the "ENV STEP_" line nearest the
// middle of the file (the benchmark file has many), else the nearest "ENV "
// line, else the nearest line that does not continue onto the next one.
func chooseTarget(text string) editTarget {
	lines := strings.Split(text, "\n")
	if len(lines) > 1 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	mid := len(lines) / 2
	preds := []func(string) bool{
		func(l string) bool { return strings.HasPrefix(l, "ENV STEP_") },
		func(l string) bool { return strings.HasPrefix(l, "ENV ") && !strings.HasSuffix(l, "\\") },
		func(l string) bool { return strings.TrimSpace(l) != "" && !strings.HasSuffix(l, "\\") },
	}
	line := mid
	if line >= len(lines) {
		line = 0
	}
pick:
	for _, ok := range preds {
		for d := 0; d <= len(lines); d++ {
			for _, i := range []int{mid - d, mid + d} {
				if i >= 0 && i < len(lines) && ok(strings.TrimSuffix(lines[i], "\r")) {
					line = i
					break pick
				}
			}
		}
	}
	start := 0
	for i := 0; i < line; i++ {
		start += len(lines[i]) + 1
	}
	l := ""
	if line < len(lines) {
		l = strings.TrimSuffix(lines[line], "\r")
	}
	return editTarget{
		Line:     line,
		Text:     l,
		EndUTF16: len(utf16.Encode([]rune(l))),
		EndByte:  start + len(l),
	}
}

// lspPosition and lspRange are the LSP wire shapes.
type lspPosition struct {
	Line      int `json:"line"`
	Character int `json:"character"`
}

type lspRange struct {
	Start lspPosition `json:"start"`
	End   lspPosition `json:"end"`
}

// contentChange is one entry of didChange's contentChanges; Range is nil for
// a full-text change.
type contentChange struct {
	Range *lspRange `json:"range,omitempty"`
	Text  string    `json:"text"`
}

// edit returns the change for edit number i (0-based) and the full text after
// it. Even edits append "x" to the target line, odd edits remove it again.
func (t editTarget) edit(original string, i int, full bool) (contentChange, string) {
	insert := i%2 == 0
	var after string
	if insert {
		after = original[:t.EndByte] + "x" + original[t.EndByte:]
	} else {
		after = original
	}
	if full {
		return contentChange{Text: after}, after
	}
	at := lspPosition{Line: t.Line, Character: t.EndUTF16}
	if insert {
		return contentChange{Range: &lspRange{Start: at, End: at}, Text: "x"}, after
	}
	end := lspPosition{Line: t.Line, Character: t.EndUTF16 + 1}
	return contentChange{Range: &lspRange{Start: at, End: end}, Text: ""}, after
}
