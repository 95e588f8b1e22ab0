package bkparse

import (
	"errors"
	"maps"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockwise/dockwise/internal/bigfile"
	"github.com/dockwise/dockwise/internal/corpus"
)

// seeds exercise what the two replacements decide: continuations with
// either escape token, escaped escape tokens, trailing blanks, tokens alone
// on a line, empty continuation lines, heredocs, and every whitespace
// character BuildKit splits on.
var seeds = []string{
	"FROM alpine\nRUN echo a \\\n  b \\\n\n  c\nRUN echo d\n",
	"FROM alpine\nRUN echo a \\ \t\n b\nRUN echo c \\\\\nRUN \\\n\\\n  x\n",
	"# escape=`\nFROM windows\nRUN dir `\n  c:\\\nRUN echo ``\nRUN x ` \t\n y\n",
	"\xEF\xBB\xBF# escape=`\nFROM a\nRUN b `\n c\n",
	"FROM alpine\nRUN <<EOF\necho a\nEOF\nCOPY <<-A <<B /x\n\tone\n\tA\ntwo\nB\n",
	"FROM\talpine\vAS\fbuild\rx\nENV a b\t c\nLABEL  k=v\t\tk2=v2\nEXPOSE 80\v443\f8080\r\n",
	"FROM alpine\r\nRUN echo a \\\r\n  b\r\nCMD x\r\n",
	"FROM a\nRUN é\\\n ü \\  \nRUN \xff\\\n\\\n",
	"# escape=x\nFROM a\n",
	"FROM a\nRUN <<EOF\nnever closed\n",
	"FROM a\nENV\nHEALTHCHECK --interval=5s CMD  curl  -f x\nONBUILD RUN <<EOF\nx\nEOF\n",
	"",
	"\\\n",
	"FROM a \\",
}

// sameParse fails unless BuildKit's parser and this package's give the same
// result and the same error for text.
func sameParse(t testing.TB, name, text string) {
	t.Helper()
	want, wantErr := parser.Parse(strings.NewReader(text))
	got, gotErr := Parse(strings.NewReader(text))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: results differ:\nBuildKit: %+v\nbkparse:  %+v", name, dump(want), dump(got))
	}
	if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
		t.Fatalf("%s: errors differ: BuildKit %v, bkparse %v", name, wantErr, gotErr)
	}
	var wl, gl *parser.LocationError
	if errors.As(wantErr, &wl) != errors.As(gotErr, &gl) || wl != nil && !reflect.DeepEqual(wl.Locations, gl.Locations) {
		t.Errorf("%s: error locations differ: BuildKit %+v, bkparse %+v", name, wl, gl)
	}
}

func dump(r *Result) string {
	if r == nil || r.AST == nil {
		return "<nil>"
	}
	return r.AST.Dump()
}

// TestParseSame compares the two parsers on the corpus, the benchmark file
// and the seeds, each also with a backtick escape directive put in front.
func TestParseSame(t *testing.T) {
	files := map[string]string{"bigfile": bigfile.Generate()}
	for i, s := range seeds {
		files["seed"+string(rune('a'+i))] = s
	}
	real, err := corpus.Files()
	if err != nil {
		t.Logf("corpus not found (%v): seeds and benchmark file only", err)
	}
	if err == nil && len(real) < 250 {
		t.Fatalf("only %d corpus files", len(real))
	}
	maps.Copy(files, real)
	for name, text := range files {
		sameParse(t, name, text)
		sameParse(t, name+" (escape=`)", "# escape=`\n"+text)
	}
}

// allStrings returns every string of length up to max over alphabet.
func allStrings(alphabet []string, max int) []string {
	out := []string{""}
	level := []string{""}
	for n := 1; n <= max; n++ {
		var next []string
		for _, s := range level {
			for _, a := range alphabet {
				next = append(next, s+a)
			}
		}
		out = append(out, next...)
		level = next
	}
	return out
}

// TestTrimContinuationCharacter compares the loop with BuildKit's regular
// expression and replacement on every string of up to 6 characters over
// the characters it looks at (and a multi-byte and an invalid one), for
// both escape tokens.
func TestTrimContinuationCharacter(t *testing.T) {
	lines := allStrings([]string{"a", " ", "\t", "\\", "`", "é", "\xff", "\r"}, 6)
	for _, esc := range []string{`\`, "`"} {
		re := regexp.MustCompile(`([^\` + esc + `])\` + esc + `[ \t]*$|^\` + esc + `[ \t]*$`)
		d := &directives{escapeToken: rune(esc[0])}
		for _, line := range lines {
			wantEnd := !re.MatchString(line)
			want := line
			if !wantEnd {
				want = re.ReplaceAllString(line, "$1")
			}
			got, gotEnd := trimContinuationCharacter([]byte(line), d)
			if string(got) != want || gotEnd != wantEnd {
				t.Fatalf("escape %s, line %q: got %q, %v; BuildKit %q, %v", esc, line, got, gotEnd, want, wantEnd)
			}
		}
	}
	if len(lines) < 250_000 {
		t.Fatalf("only %d lines", len(lines))
	}
}

// TestSplitWhitespace compares splitWhitespace with BuildKit's regular
// expression's Split on every string of up to 5 characters over the split
// characters, a newline (not one of them), a letter, a multi-byte and an
// invalid character, for the n BuildKit uses and a few more.
func TestSplitWhitespace(t *testing.T) {
	re := regexp.MustCompile(`[\t\v\f\r ]+`)
	for _, s := range allStrings([]string{"a", " ", "\t", "\v", "\f", "\r", "\n", "é", "\xff"}, 5) {
		for _, n := range []int{-1, 0, 1, 2, 3} {
			if want, got := re.Split(s, n), splitWhitespace(s, n); !reflect.DeepEqual(got, want) {
				t.Fatalf("split(%q, %d) = %q, BuildKit's %q", s, n, got, want)
			}
		}
	}
}

// FuzzParse compares the two parsers on any text.
func FuzzParse(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		sameParse(t, "fuzz", text)
	})
}

// BenchmarkParse and BenchmarkBuildKitParse parse the benchmark file with
// this package and with BuildKit's parser, on one core.
func BenchmarkParse(b *testing.B) {
	text := bigfile.Generate()
	for b.Loop() {
		if _, err := Parse(strings.NewReader(text)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildKitParse(b *testing.B) {
	text := bigfile.Generate()
	for b.Loop() {
		if _, err := parser.Parse(strings.NewReader(text)); err != nil {
			b.Fatal(err)
		}
	}
}
