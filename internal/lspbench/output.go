// This file defines the text output of lspbench: one readable table per run.
package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

func printText(w io.Writer, r result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s\t%s\n", k, fmt.Sprintf(format, a...)) }
	server := r.Server
	if r.ServerInfo != "" {
		server += " (" + r.ServerInfo + ")"
	}
	row("server", "%s", server)
	row("command", "%s", strings.Join(r.Command, " "))
	row("file", "%s: %d lines, %d bytes; edits on line %d, sent as %s changes", r.File, r.Lines, r.Bytes, r.EditLine, orDash(r.Sync))
	row("initialize", "%s", fmtMS(r.InitializeMS))
	open := "no diagnostics"
	if r.OpenDiagMS != nil {
		open = fmt.Sprintf("%s (%d diagnostics)", fmtMS(r.OpenDiagMS), r.OpenDiagCount)
	}
	row("open -> diagnostics", "%s", open)
	e := r.Edits
	switch {
	case e.Requested == 0:
		row("edit -> diagnostics", "no edits requested")
	case r.OpenDiagMS == nil:
		row("edit -> diagnostics", "not run (no diagnostics after open)")
	case e.Completed == 0:
		row("edit -> diagnostics", "no diagnostics (0 of %d edits)", e.Requested)
	default:
		row("edit -> diagnostics", "%d of %d edits: min %s  median %s  p90 %s  max %s",
			e.Completed, e.Requested, fmtMS(e.MinMS), fmtMS(e.MedianMS), fmtMS(e.P90MS), fmtMS(e.MaxMS))
	}
	versioned := "no publishes"
	if r.Versioned != nil {
		versioned = "no (matched by arrival order)"
		if *r.Versioned {
			versioned = "yes"
		}
	}
	row("versioned publishes", "%s; %d publishes for the file", versioned, r.Publishes)
	row("memory after open", "%s", fmtMem(r.MemAfterOpen))
	row("memory after edits", "%s", fmtMem(r.MemAfterEdits))
	shutdown := "no response"
	if r.ShutdownMS != nil {
		shutdown = fmtMS(r.ShutdownMS)
	}
	if r.ExitCode != nil {
		shutdown += fmt.Sprintf(", exit code %d", *r.ExitCode)
	}
	if r.ExitOnEOF {
		shutdown += ", only after stdin was closed"
	}
	if r.Killed {
		shutdown += ", killed"
	}
	row("shutdown", "%s", shutdown)
	if len(r.ServerRequests) > 0 {
		row("server requests", "%s", fmtCounts(r.ServerRequests))
	}
	if len(r.Notifications) > 0 {
		row("server notifications", "%s", fmtCounts(r.Notifications))
	}
	if r.BadMessages > 0 {
		row("unreadable messages", "%d", r.BadMessages)
	}
	for _, err := range r.Errors {
		row("error", "%s", err)
	}
	tw.Flush()
	if r.StderrTail != "" {
		fmt.Fprintf(w, "--- server stderr (tail) ---\n%s\n", strings.TrimRight(r.StderrTail, "\n"))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func fmtMS(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f ms", *v)
}

func fmtMem(m *memory) string {
	if m == nil {
		return "-"
	}
	s := fmt.Sprintf("RSS %.1f MiB, peak %.1f MiB", float64(m.RSSKiB)/1024, float64(m.HWMKiB)/1024)
	if m.Processes > 1 {
		s += fmt.Sprintf(" (%d processes)", m.Processes)
	}
	return s
}

func fmtCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s x%d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
