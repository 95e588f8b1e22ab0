package analysis

import "testing"

// A first line that is a lone escape joins the next line with its indent;
// BuildKit trims that before it reads the keyword, and so must the layout.
func TestKeywordAfterLoneEscapeLine(t *testing.T) {
	f := Parse("FROM a\n\\\n\tentrypoint x\n")
	in := f.Instructions()[1]
	s, e := in.KeywordRange()
	if got := f.Text[s:e]; got != "entrypoint" {
		t.Errorf("keyword range covers %q, want %q", got, "entrypoint")
	}
	s, e, ok := in.ShellForm()
	if !ok || f.Text[s:e] != "x" {
		t.Errorf("shell form %q (ok %v), want %q", f.Text[s:e], ok, "x")
	}
}
