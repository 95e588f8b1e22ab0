package bigfile

import (
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// The generated file is the size the benchmarks promise and parses cleanly.
func TestGenerateSize(t *testing.T) {
	text := Generate()
	res, err := parser.Parse(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	n, lines := len(res.AST.Children), strings.Count(text, "\n")
	t.Logf("%d instructions, %d lines, %d bytes", n, lines, len(text))
	if n < 4800 || n > 5200 || lines < 6300 || lines > 6900 {
		t.Errorf("got %d instructions on %d lines, want about 5,000 on about 6,600", n, lines)
	}
}
