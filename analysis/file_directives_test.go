// This file tests Edit on edits to the parser directives: its result is the
// File that parsing the edited text whole gives.
package analysis

import (
	"slices"
	"strings"
	"testing"
)

func TestEditMatchesParse(t *testing.T) {
	texts := []string{
		"# syntax=docker/dockerfile:1\nFROM alpine AS Build\n# check=skip=X\nRUN echo hi\n",
		"FROM alpine AS Build\nRUN echo hi\n",
		"# check=skip=A;error=true\n# syntax=x\n\nFROM alpine\nCMD x\n",
		"# escape=`\nFROM alpine\nRUN echo `\n  hi\n",
		"\xEF\xBB\xBF# syntax=x\nFROM alpine\n",
	}
	inserts := []string{"# check=skip=StageNameCasing\n", "# syntax=y\n", "# escape=`\n", "\n", "# comment\n", "FROM x\n", "# check=experimental=all\n"}
	for _, text := range texts {
		f := Parse(text)
		for off := 0; off <= len(text); off++ {
			for _, ins := range inserts {
				for _, del := range []int{0, 1, 5} {
					end := min(off+del, len(text))
					got, _ := f.Edit(off, end, ins)
					want := Parse(text[:off] + ins + text[end:])
					if got.Text != want.Text || got.Escape != want.Escape || !slices.Equal(got.Directives, want.Directives) {
						t.Fatalf("%q: Edit(%d, %d, %q): directives %v escape %q, want %v %q",
							text, off, end, ins, got.Directives, got.Escape, want.Directives, want.Escape)
					}
					if g, w := describe(got), describe(want); g != w {
						t.Fatalf("%q: Edit(%d, %d, %q):\n%s\nwant:\n%s", text, off, end, ins, g, w)
					}
				}
			}
		}
	}
}

// describe lists a file's instructions and diagnostics.
func describe(f *File) string {
	var b strings.Builder
	for _, in := range f.Instructions() {
		b.WriteString(in.Keyword() + " " + in.Source() + "\n")
	}
	for _, d := range Check(f, nil, Options{}) {
		// BuildKit picks its "did you mean" among equals at random.
		msg, _, _ := strings.Cut(d.Message, " (did you mean")
		b.WriteString(d.Rule + ": " + msg + "\n")
	}
	return b.String()
}
