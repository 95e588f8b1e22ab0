// This file defines the text report: one line per finding,
// `path:line:col: severity: message [Rule]`, the source line under it with
// the range underlined, and a summary line at the end.
package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dockwise/dockwise/analysis"
)

// snippetWidth is how many code points of a long source line are shown.
const snippetWidth = 160

func writeText(w io.Writer, results []fileResult) error {
	bw := bufio.NewWriter(w)
	unreadable := 0
	for _, r := range results {
		if r.err != nil {
			unreadable++ // reported on stderr
			continue
		}
		gutter := 1
		for _, d := range r.diags {
			gutter = max(gutter, len(strconv.Itoa(positionOf(r.file, d.Start).Line)))
		}
		for _, d := range r.diags {
			start, end := span(r.file, d)
			fmt.Fprintf(bw, "%s:%d:%d: %s: %s [%s]\n", r.path, start.Line, start.Column,
				severityName(d.Severity), oneLine(d.Message), d.Rule)
			writeSnippet(bw, r.file, start, end, gutter)
		}
	}
	s := summarize(results)
	fmt.Fprintf(bw, "%s checked", plural(s.Files, "file"))
	if unreadable > 0 {
		fmt.Fprintf(bw, " (%d could not be read)", unreadable)
	}
	fmt.Fprintf(bw, ": %s, %s, %s, %s\n", plural(s.Errors, "error"), plural(s.Warnings, "warning"),
		plural(s.Infos, "info"), plural(s.Hints, "hint"))
	return bw.Flush()
}

// writeSnippet writes the start line of a finding and a line of carets
// under its range (to the end of that line when the range goes on).
func writeSnippet(w io.Writer, f *analysis.File, start, end position, gutter int) {
	line := []rune(f.Line(start.Line - 1)) // invalid bytes become U+FFFD, one each, as columns count them
	from, to := start.Column-1, len(line)
	if end.Line == start.Line {
		to = end.Column - 1
	}
	from = min(from, len(line))
	to = min(max(to, from+1), max(len(line), from+1))

	// Show a window of a long line around the range.
	lo, hi := 0, len(line)
	var pre, post string
	if len(line) > snippetWidth {
		lo = max(0, min(from-snippetWidth/4, len(line)-snippetWidth))
		hi = lo + snippetWidth
		if lo > 0 {
			pre = "…"
		}
		if hi < len(line) {
			post = "…"
		}
		to = min(to, hi+1)
	}
	var src, marks strings.Builder
	src.WriteString(pre)
	if pre != "" {
		marks.WriteByte(' ')
	}
	for i := lo; i < hi; i++ {
		r := line[i]
		src.WriteRune(printable(r))
		if i < from {
			if r == '\t' {
				marks.WriteByte('\t')
			} else {
				marks.WriteByte(' ')
			}
		}
	}
	src.WriteString(post)
	marks.WriteString(strings.Repeat("^", to-from))
	fmt.Fprintf(w, "%*d | %s\n%*s | %s\n", gutter, start.Line, src.String(), gutter, "", marks.String())
}

// printable keeps control characters in the user's file from reaching the
// terminal.
func printable(r rune) rune {
	if r == '\t' {
		return r
	}
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
		return utf8.RuneError
	}
	return r
}

// oneLine makes a message fit on one line of printable text.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\n', '\r', '\t':
			return ' '
		}
		return printable(r)
	}, s)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
