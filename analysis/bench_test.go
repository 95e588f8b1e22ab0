package analysis

import (
	"strings"
	"testing"

	"github.com/dockwise/dockwise/internal/bigfile"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// BenchmarkParseBig parses the 5,000-instruction benchmark file whole.
func BenchmarkParseBig(b *testing.B) {
	text := bigfile.Generate()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Parse(text)
	}
}

// BenchmarkBuildKitParseBig is BuildKit's own whole-file parse, for scale.
func BenchmarkBuildKitParseBig(b *testing.B) {
	text := bigfile.Generate()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, err := parser.Parse(strings.NewReader(text)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEditBig types one character into a line in the middle of the
// benchmark file and re-parses incrementally.
func BenchmarkEditBig(b *testing.B) {
	f := Parse(bigfile.Generate())
	off := f.LineEnd(f.NumLines() / 2)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			f, _ = f.Edit(off, off, "x")
		} else {
			f, _ = f.Edit(off, off+1, "")
		}
	}
}

// BenchmarkEditBigSplitLine inserts a line break in the middle of the file,
// which shifts every later instruction.
func BenchmarkEditBigSplitLine(b *testing.B) {
	f := Parse(bigfile.Generate())
	off := f.LineStart(f.NumLines() / 2)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			f, _ = f.Edit(off, off, "\n")
		} else {
			f, _ = f.Edit(off, off+1, "")
		}
	}
}
