// This file holds the benchmarks of computing the actions for a range of
// the 5,000-instruction benchmark file, as the server does for a
// textDocument/codeAction request after an edit: check the file, compute
// the candidates of the findings on the range, verify each on a copy.
package codeactions

import (
	"strings"
	"testing"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
	"github.com/dockwise/dockwise/internal/bigfile"
)

// bigWithEdit returns the benchmark file, checked once (as the server has
// done when it published diagnostics), then edited so that the line
// holding marker reads line, and checked again.
func bigWithEdit(b *testing.B, marker, line string) (*analysis.File, int, int) {
	f := analysis.Parse(bigfile.Generate())
	analysis.Check(f, rules.All, analysis.Options{})
	i := strings.Index(f.Text, marker)
	if i < 0 {
		b.Fatalf("no %q in the benchmark file", marker)
	}
	l := f.LineOf(i)
	for ; l < f.NumLines(); l++ {
		if strings.Contains(f.Line(l), marker) {
			break
		}
	}
	if line != "" {
		f, _ = f.Edit(f.LineStart(l), f.LineEnd(l), line)
	}
	analysis.Check(f, rules.All, analysis.Options{})
	return f, f.LineStart(l), f.LineEnd(l)
}

func benchRange(b *testing.B, f *analysis.File, start, end int, wantFix bool) {
	b.Helper()
	n := 0
	for b.Loop() {
		in := NewInput(f, rules.All, analysis.Options{}, nil)
		var diags []analysis.Diagnostic
		for _, d := range in.Diagnostics() {
			if d.Start <= end && d.End >= start {
				diags = append(diags, d)
			}
		}
		acts, errs := ForDiagnostics(in, diags)
		if len(errs) > 0 {
			b.Fatal(errs)
		}
		refactors, errs := Refactors(in, start, end, false)
		if len(errs) > 0 {
			b.Fatal(errs)
		}
		n = len(acts) + len(refactors)
	}
	fixes := 0
	in := NewInput(f, rules.All, analysis.Options{}, nil)
	var diags []analysis.Diagnostic
	for _, d := range in.Diagnostics() {
		if d.Start <= end && d.End >= start {
			diags = append(diags, d)
		}
	}
	acts, _ := ForDiagnostics(in, diags)
	for _, a := range acts {
		if !a.Suppress {
			fixes++
		}
	}
	if n == 0 || wantFix && fixes == 0 {
		b.Fatalf("%d actions, %d fixes on the range", n, fixes)
	}
	b.ReportMetric(float64(n), "actions/op")
}

// BenchmarkRangeActionsBig: the RUN in the middle of the benchmark file
// with a MissingCacheMount finding (its fix and two suppressions to
// verify).
func BenchmarkRangeActionsBig(b *testing.B) {
	f := analysis.Parse(bigfile.Generate())
	var mid analysis.Diagnostic
	for _, d := range analysis.Check(f, rules.All, analysis.Options{}) {
		if d.Rule == "MissingCacheMount" && f.LineOf(d.Start) < f.NumLines()/2 {
			mid = d
		}
	}
	if mid.Rule == "" {
		b.Fatal("no MissingCacheMount finding")
	}
	l := f.LineOf(mid.Start)
	benchRange(b, f, f.LineStart(l), f.LineEnd(l), false)
}

// BenchmarkRangeActionsBigFix: a line in the middle of the benchmark file
// edited to `EXPOSE 8009/TCP`: a fix and two suppressions to verify.
func BenchmarkRangeActionsBigFix(b *testing.B) {
	f, start, end := bigWithEdit(b, "EXPOSE 8009/tcp", "EXPOSE 8009/TCP")
	benchRange(b, f, start, end, true)
}

// BenchmarkRangeActionsBigRename: a stage in the middle of the benchmark
// file renamed `Stage50`: the rename and two suppressions to verify.
func BenchmarkRangeActionsBigRename(b *testing.B) {
	f, start, end := bigWithEdit(b, "FROM stage49 AS stage50", "FROM stage49 AS Stage50")
	benchRange(b, f, start, end, true)
}

// BenchmarkFixAllBig: fix all on the benchmark file with a fixable line.
func BenchmarkFixAllBig(b *testing.B) {
	f, _, _ := bigWithEdit(b, "EXPOSE 8009/tcp", "EXPOSE 8009/TCP")
	for b.Loop() {
		res := FixAll(NewInput(f, rules.All, analysis.Options{}, nil), FixOptions{})
		if res.Action == nil || len(res.Errors) > 0 {
			b.Fatal(res.Action, res.Errors)
		}
	}
}
