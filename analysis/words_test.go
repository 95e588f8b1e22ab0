package analysis

import (
	"reflect"
	"strings"
	"testing"
)

// TestSimpleVars compares compileWord with and without its shortcuts
// (simpleVars, unquoted) on every string of up to 6 characters over '$',
// name characters, characters that end a name, the lexer's special ones and
// a multi-byte one, and of up to 5 over quotes, blanks, '$', '<', an escape
// token and a multi-byte character, with either escape token.
func TestSimpleVars(t *testing.T) {
	alphabet := []string{"$", "A", "_", "1", "/", "{", "@", "é"}
	texts := []string{""}
	for level, n := []string{""}, 1; n <= 6; n++ {
		var next []string
		for _, s := range level {
			for _, a := range alphabet {
				next = append(next, s+a)
			}
		}
		texts, level = append(texts, next...), next
	}
	for level, n := []string{""}, 1; n <= 5; n++ {
		var next []string
		for _, s := range level {
			for _, a := range []string{"'", "\"", " ", "\t", "a", "$", "<", "\\", "é"} {
				next = append(next, s+a)
			}
		}
		texts, level = append(texts, next...), next
	}
	texts = append(texts, `"stage 1"`, `a"b c"'d "e'`, `"x`, "/opt/bin:$PATH", "$A$A$B", "x-$A_B.$C", "\\$A", "`$A", "'$A'", "\"$A\"", "$A<<B", "$A}", "$A b")
	compile := func(fast bool, text string, esc rune) (*word, string) {
		defer func(old bool) { simpleWords = old }(simpleWords)
		simpleWords = fast
		w := compileWord(text, esc, false, text, 3, 3+len(text))
		msg := ""
		if w.err != nil {
			msg = w.err.Error()
			w.err = nil
		}
		return w, msg
	}
	fast, quoted := 0, 0
	for _, esc := range []rune{'\\', '`'} {
		for _, text := range texts {
			got, gotErr := compile(true, text, esc)
			want, wantErr := compile(false, text, esc)
			if !reflect.DeepEqual(got, want) || gotErr != wantErr {
				t.Fatalf("compileWord(%q, escape %q): %+v %+v, %q; with the lexer %+v %+v, %q", text, esc, got, got.v, gotErr, want, want.v, wantErr)
			}
			if _, _, ok := simpleVars(text, esc); ok {
				fast++
			}
			if _, ok := unquoted(text); ok && strings.ContainsAny(text, "'\"") {
				quoted++
			}
		}
	}
	if fast < 10_000 || quoted < 3_000 {
		t.Fatalf("only %d words took simpleVars, %d with quotes unquoted", fast, quoted)
	}
}

// FuzzSimpleVars compares compileWord with and without its shortcuts on any
// word.
func FuzzSimpleVars(f *testing.F) {
	for _, s := range []string{"/opt/bin:$PATH", `"stage 1"`, "$A$A_B", "a'b c'\"d\"", "${A:-x}", "$1", "\\$A"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, text string, backtick bool) {
		esc := '\\'
		if backtick {
			esc = '`'
		}
		compile := func(fast bool) (*word, string) {
			defer func(old bool) { simpleWords = old }(simpleWords)
			simpleWords = fast
			w := compileWord(text, esc, false, text, 0, len(text))
			msg := ""
			if w.err != nil {
				msg, w.err = w.err.Error(), nil
			}
			return w, msg
		}
		got, gotErr := compile(true)
		want, wantErr := compile(false)
		if !reflect.DeepEqual(got, want) || gotErr != wantErr {
			t.Fatalf("compileWord(%q, escape %q): %+v %+v, %q; with the lexer %+v %+v, %q", text, esc, got, got.v, gotErr, want, want.v, wantErr)
		}
	})
}

// TestCompileWordLiteral compares the expansion compileWord makes of words
// without variables with what BuildKit's lexer makes of them.
func TestCompileWordLiteral(t *testing.T) {
	for _, esc := range []rune{'\\', '`'} {
		for _, text := range []string{"x", "\ufeffx", "\ufeff", "a\ufeffb", "é", "a b", `"a b"`, "'a'b", "a\\b", "a`b", "<<EOF", "~/x", "*.go"} {
			w := compileWord(text, esc, false, text, 0, len(text))
			want, err := processWord(esc, false, text, &recordEnv{})
			if err != nil || w.err != nil || w.v != nil || w.lit != want {
				t.Errorf("escape %q: compileWord(%q) = %q (err %v), the lexer's %q (err %v)", esc, text, w.lit, w.err, want, err)
			}
		}
	}
}
