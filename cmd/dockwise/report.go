// This file defines what every report format shares: positions as 1-based
// lines and 1-based columns counted in Unicode code points, the summary
// counts, and the choice of format.
package main

import (
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/dockwise/dockwise/analysis"
)

// position is a 1-based line and a 1-based column counted in Unicode code
// points (an invalid UTF-8 byte counts as one).
type position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// positionOf converts byte offset off of f to a position.
func positionOf(f *analysis.File, off int) position {
	off = min(max(off, 0), len(f.Text))
	line := f.LineOf(off)
	start := f.LineStart(line)
	if off < start { // cannot happen with a consistent File; stay safe
		off = start
	}
	return position{Line: line + 1, Column: utf8.RuneCountInString(f.Text[start:off]) + 1}
}

// span returns the start and end positions of d; end is exclusive.
func span(f *analysis.File, d analysis.Diagnostic) (start, end position) {
	start = positionOf(f, d.Start)
	end = positionOf(f, max(d.End, d.Start))
	return start, end
}

// summary counts files and findings by severity.
type summary struct {
	Files    int `json:"files"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Infos    int `json:"infos"`
	Hints    int `json:"hints"`
}

func summarize(results []fileResult) summary {
	s := summary{Files: len(results)}
	for _, r := range results {
		for _, d := range r.diags {
			switch d.Severity {
			case analysis.SeverityError:
				s.Errors++
			case analysis.SeverityWarning:
				s.Warnings++
			case analysis.SeverityInfo:
				s.Infos++
			default:
				s.Hints++
			}
		}
	}
	return s
}

// writeReport writes results to w in format.
func writeReport(w io.Writer, format string, results []fileResult) error {
	switch format {
	case "text":
		return writeText(w, results)
	case "json":
		return writeJSON(w, results)
	case "sarif":
		return writeSARIF(w, results)
	case "github":
		return writeGitHub(w, results)
	}
	return fmt.Errorf("unknown format %q", format)
}

// severityName is the name of a severity in reports: error, warning, info
// or hint.
func severityName(s analysis.Severity) string {
	switch s {
	case analysis.SeverityError, analysis.SeverityWarning, analysis.SeverityInfo:
		return s.String()
	}
	return "hint"
}
