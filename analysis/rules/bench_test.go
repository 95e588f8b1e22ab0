// This file holds the benchmarks of checking the 5,000-instruction file:
// after a one-line edit (the editor's path) and from scratch.
package rules

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/internal/bigfile"
)

// BenchmarkCheckEdit types and deletes a character in a line in the middle
// of the benchmark file and runs every rule after each edit: the semantic
// model is rebuilt, instruction-local results are reused.
func BenchmarkCheckEdit(b *testing.B) {
	f := analysis.Parse(bigfile.Generate())
	analysis.Check(f, All, analysis.Options{}) // warm the per-instruction caches
	off := f.LineEnd(f.NumLines() / 2)
	n := 0
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			f, _ = f.Edit(off, off, "x")
		} else {
			f, _ = f.Edit(off, off+1, "")
		}
		n += len(analysis.Check(f, All, analysis.Options{}))
	}
	b.ReportMetric(float64(n)/float64(b.N), "diags/op")
}

// BenchmarkCheckOpen parses the benchmark file and runs every rule, with
// nothing cached: opening the file.
func BenchmarkCheckOpen(b *testing.B) {
	text := bigfile.Generate()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		analysis.Check(analysis.Parse(text), All, analysis.Options{})
	}
}

// BenchmarkSemantics builds the semantic model alone after an edit.
func BenchmarkSemantics(b *testing.B) {
	f := analysis.Parse(bigfile.Generate())
	f.Semantics()
	off := f.LineEnd(f.NumLines() / 2)
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			f, _ = f.Edit(off, off, "x")
		} else {
			f, _ = f.Edit(off, off+1, "")
		}
		f.Semantics()
	}
}

// BenchmarkCheckOnlyAfterEdit is BenchmarkCheckEdit without the time of
// File.Edit itself: the rules' share of the edit-to-diagnostics budget.
func BenchmarkCheckOnlyAfterEdit(b *testing.B) {
	f := analysis.Parse(bigfile.Generate())
	analysis.Check(f, All, analysis.Options{})
	off := f.LineEnd(f.NumLines() / 2)
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		if i%2 == 0 {
			f, _ = f.Edit(off, off, "x")
		} else {
			f, _ = f.Edit(off, off+1, "")
		}
		b.StartTimer()
		analysis.Check(f, All, analysis.Options{})
	}
}

// BenchmarkCheckEditGlobalArg edits the value of a global ARG that half of
// the stages use: those stages, and the stages built FROM them, are
// dispatched again (a worse case than BenchmarkCheckEdit).
func BenchmarkCheckEditGlobalArg(b *testing.B) {
	f := analysis.Parse(bigfile.Generate())
	analysis.Check(f, All, analysis.Options{})
	off := f.LineEnd(2) // ARG GO_VERSION=1.23
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			f, _ = f.Edit(off, off, "x")
		} else {
			f, _ = f.Edit(off, off+1, "")
		}
		analysis.Check(f, All, analysis.Options{})
	}
}

// BenchmarkCheckEditSplitLine inserts and removes a line break in the
// middle of the file, which moves every later instruction.
func BenchmarkCheckEditSplitLine(b *testing.B) {
	f := analysis.Parse(bigfile.Generate())
	analysis.Check(f, All, analysis.Options{})
	off := f.LineStart(f.NumLines() / 2)
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			f, _ = f.Edit(off, off, "\n")
		} else {
			f, _ = f.Edit(off, off+1, "")
		}
		analysis.Check(f, All, analysis.Options{})
	}
}

// BenchmarkCheckEditWithContext is BenchmarkCheckEdit with a build context
// whose .dockerignore excludes some of the file's COPY sources.
func BenchmarkCheckEditWithContext(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte("src/2\n*.md\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	ctx, err := analysis.NewBuildContext(dir, filepath.Join(dir, "Dockerfile"))
	if err != nil {
		b.Fatal(err)
	}
	opts := analysis.Options{Context: ctx}
	f := analysis.Parse(bigfile.Generate())
	analysis.Check(f, All, opts)
	off := f.LineEnd(f.NumLines() / 2)
	n := 0
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			f, _ = f.Edit(off, off, "x")
		} else {
			f, _ = f.Edit(off, off+1, "")
		}
		n += len(analysis.Check(f, All, opts))
	}
	b.ReportMetric(float64(n)/float64(b.N), "diags/op")
}

// BenchmarkOpenRetained opens the benchmark file as the server's idle
// compaction leaves it (parsed and checked with collection on) and reports
// what stays on the heap with the file open: live-MB, the bytes of live
// objects, and inuse-MB, the bytes of the memory pages that hold them
// (after a collection that returns all free pages). The time is not the
// point; see BenchmarkCheckOpen.
func BenchmarkOpenRetained(b *testing.B) {
	text := bigfile.Generate()
	var live, inuse uint64
	var f *analysis.File
	for b.Loop() {
		f = nil
		debug.FreeOSMemory()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		f = analysis.Parse(text)
		analysis.Check(f, All, analysis.Options{})
		debug.FreeOSMemory()
		runtime.ReadMemStats(&m1)
		live += m1.HeapAlloc - m0.HeapAlloc
		inuse += m1.HeapInuse - m0.HeapInuse
	}
	runtime.KeepAlive(f)
	b.ReportMetric(float64(live)/float64(b.N)/1e6, "live-MB")
	b.ReportMetric(float64(inuse)/float64(b.N)/1e6, "inuse-MB")
}
