package bkparse

import (
	"errors"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

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

// TestProcessWords compares processWords with BuildKit's lexer, set up as
// at each of its call sites, on every string of up to 6 characters over
// the characters its shortcut decides on (the blanks it splits at, '<', a
// letter), and some it leaves to the lexer (a quote, '$', an escape token,
// a multi-byte and an invalid character, NUL).
func TestProcessWords(t *testing.T) {
	setups := map[string]func(*shell.Lex){
		"heredocsFromLine":     func(l *shell.Lex) { l.RawQuotes, l.RawEscapes, l.SkipUnsetEnv = true, true, true },
		"heredocFromMatch":     func(l *shell.Lex) { l.RawQuotes, l.SkipUnsetEnv = false, true },
		"heredocFromMatch raw": func(l *shell.Lex) { l.RawQuotes, l.SkipUnsetEnv = true, true },
	}
	words := allStrings([]string{"a", "<", " ", "\t", "\r", "\n", "\v", "\f"}, 6)
	words = append(words, allStrings([]string{"a", "<", " ", "'", "$", "\\", "é", "\xff", "\x00"}, 4)...)
	plain := 0
	for name, setup := range setups {
		for _, s := range words {
			want, wantErr := func() ([]string, error) {
				l := shell.NewLex('\\')
				setup(l)
				return l.ProcessWords(s, emptyEnvs{})
			}()
			l := getLex('\\')
			setup(l)
			got, gotErr := processWords(l, s, emptyEnvs{})
			putLex(l)
			if !reflect.DeepEqual(got, want) || (gotErr == nil) != (wantErr == nil) {
				t.Fatalf("%s: processWords(%q) = %q, %v; the lexer's %q, %v", name, s, got, gotErr, want, wantErr)
			}
			if plainWords(s) {
				plain++
			}
		}
	}
	if plain < 3*290_000 {
		t.Fatalf("only %d plain strings", plain)
	}
}

// TestParseWords compares parseWords with BuildKit's on every string of up
// to 5 characters over blanks, a letter, '=', both quotes, both escape
// tokens and non-ASCII characters (one a Unicode space), with either escape
// token.
func TestParseWords(t *testing.T) {
	for _, esc := range []rune{'\\', '`'} {
		d := &directives{escapeToken: esc}
		for _, s := range allStrings([]string{"a", " ", "\t", "\n", "\v", "\f", "\r", "=", "'", "\"", "\\", "`", "é", "\u0085"}, 5) {
			if got, want := parseWords(s, d), buildkitParseWords(s, d); !reflect.DeepEqual(got, want) {
				t.Fatalf("escape %q: parseWords(%q) = %q, BuildKit's %q", esc, s, got, want)
			}
		}
	}
}

// TestFindHeredoc compares findHeredoc with the expression it shortcuts.
func TestFindHeredoc(t *testing.T) {
	for _, s := range allStrings([]string{"<", "1", "-", " ", "E", "'"}, 6) {
		if got, want := findHeredoc(s), reHeredoc.FindStringSubmatch(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("findHeredoc(%q) = %q, the expression's %q", s, got, want)
		}
	}
}

// TestToLower checks Keyword's list against BuildKit's dispatch table, and
// compares ToLower with strings.ToLower on the keywords in every mix of
// cases (up to 2^6 mixes each), other words, and characters whose lower
// case is not ASCII.
func TestToLower(t *testing.T) {
	var words []string
	keywords := []string{"add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck",
		"label", "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir"}
	if len(keywords) != len(dispatch) {
		t.Errorf("%d keywords, BuildKit's parser dispatches %d", len(keywords), len(dispatch))
	}
	for _, k := range keywords {
		if dispatch[k] == nil {
			t.Errorf("%q is not in BuildKit's dispatch table", k)
		}
		if got, ok := Keyword(strings.ToUpper(k)); got != k || !ok {
			t.Errorf("Keyword(%q) = %q, %v", strings.ToUpper(k), got, ok)
		}
		for mask := 0; mask < 1<<min(len(k), 6); mask++ {
			b := []byte(k)
			for i := range b {
				if mask&(1<<(i%6)) != 0 {
					b[i] -= 'a' - 'A'
				}
			}
			words = append(words, string(b), string(b)+"x", string(b[1:]))
		}
	}
	// Near misses: every string of up to 4 characters over letters of the
	// short keywords in both cases and two characters one bit away.
	for _, w := range allStrings([]string{"a", "D", "r", "g", "C", "m", "n", "e", "U", "s", "@", "`"}, 4) {
		want, wantOK := "", slices.Contains(keywords, strings.ToLower(w))
		if wantOK {
			want = strings.ToLower(w)
		}
		if got, ok := Keyword(w); got != want || ok != wantOK {
			t.Fatalf("Keyword(%q) = %q, %v; want %q, %v", w, got, ok, want, wantOK)
		}
	}
	words = append(words, "", "HEALTHCHECKS", "\u0130", "RUN\u0130", "K\u212a", "\xff", "ÉNV")
	for _, w := range words {
		if got, want := ToLower(w), strings.ToLower(w); got != want {
			t.Fatalf("ToLower(%q) = %q, strings.ToLower's %q", w, got, want)
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
