// This file defines the GitHub Actions report: one workflow command per
// finding, `::warning file=...,line=...,col=...,endLine=...,endColumn=...,title=Rule::message`,
// which GitHub shows as an annotation on the file. Errors are `error`,
// warnings `warning`, infos and hints `notice`. A file that could not be
// read is an `error` annotation on the file.
package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

func writeGitHub(w io.Writer, results []fileResult) error {
	bw := bufio.NewWriter(w)
	for _, r := range results {
		if r.err != nil {
			fmt.Fprintf(bw, "::error file=%s,title=%s::%s\n", ghProperty(r.path), ghProperty("dockwise"),
				ghData("cannot read file: "+r.err.Error()))
			continue
		}
		for _, d := range r.diags {
			start, end := span(r.file, d)
			fmt.Fprintf(bw, "::%s file=%s,line=%d,col=%d,endLine=%d,endColumn=%d,title=%s::%s\n",
				ghCommand(d.Severity), ghProperty(r.path), start.Line, start.Column, end.Line, end.Column,
				ghProperty(d.Rule), ghData(d.Message))
		}
	}
	return bw.Flush()
}

func ghCommand(s analysis.Severity) string {
	switch s {
	case analysis.SeverityError:
		return "error"
	case analysis.SeverityWarning:
		return "warning"
	}
	return "notice"
}

// ghData escapes the message of a workflow command.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a property value of a workflow command.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
