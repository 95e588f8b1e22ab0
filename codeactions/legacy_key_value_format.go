// This file defines the fix of LegacyKeyValueFormat: `ENV key value` and
// `LABEL key value` become `key=value`. BuildKit expands the legacy value
// (everything after the key) with its lexer, quotes and variables
// included, exactly as it expands the value of a `key=value` word; the
// rewrite keeps a value that is one word as it is, and quotes one with
// blanks so that it stays one word. The fix checks that the lexer reads
// the new value as it read the old one.
package codeactions

import (
	"strings"
	"unicode"

	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

func init() { register("LegacyKeyValueFormat", fixLegacyKeyValue) }

func fixLegacyKeyValue(in *Input, d analysis.Diagnostic) []*Action {
	inst := d.Instruction
	if inst == nil || !inst.Is("env") && !inst.Is("label") {
		return nil
	}
	f := in.File
	var kv *analysis.KeyValue
	for _, p := range inst.Pairs() {
		if p.NoDelim && p.KeyStart == d.Start {
			kv = &p
			break
		}
	}
	if kv == nil || kv.Key == "" || f.Text[kv.KeyStart:kv.KeyEnd] != kv.Key {
		return nil
	}
	start, end := kv.KeyStart, inst.End()
	for l := f.LineOf(start) + 1; l <= f.LineOf(end); l++ {
		if isComment(f.Line(l)) || isBlank(f.Line(l)) {
			return nil // the rewrite would drop a line inside the instruction
		}
	}
	value, ok := keyValueWord(kv.Value, f.Escape)
	if !ok {
		return nil
	}
	newText := kv.Key + "=" + value
	return []*Action{{
		Title:     "Write " + short(strings.ToUpper(inst.Keyword())+" "+newText, 80),
		Edits:     []Edit{{Start: start, End: end, NewText: newText}},
		Safe:      true,
		Preferred: true,
	}}
}

// keyValueWord returns the text to write after `key=` so that BuildKit
// reads the same value as it reads from the legacy value v: v itself when
// it is one word, else v in double quotes when that does not change what
// the lexer makes of it, else the lexer's result quoted (when it has no
// variables).
func keyValueWord(v string, escape rune) (string, bool) {
	want, ok := lexed(v, escape)
	if !ok {
		return "", false
	}
	var cands []string
	if oneWord(v, escape) {
		cands = append(cands, v)
	}
	if !strings.ContainsAny(v, `"'`) && !strings.ContainsRune(v, escape) {
		cands = append(cands, `"`+v+`"`)
	}
	if !strings.Contains(want, sentinelOpen) {
		cands = append(cands, doubleQuote(want, escape))
	}
	for _, c := range cands {
		if got, ok := lexed(c, escape); ok && got == want && oneWord(c, escape) {
			return c, true
		}
	}
	return "", false
}

const (
	sentinelOpen  = "\x00"
	sentinelClose = "\x01"
)

// recordEnv answers every variable with a sentinel naming it, so that two
// words can be compared without knowing the variables' values.
type recordEnv struct{}

func (recordEnv) Get(name string) (string, bool) { return sentinelOpen + name + sentinelClose, true }
func (recordEnv) Keys() []string                 { return nil }

// lexed returns what BuildKit's lexer makes of a word, with variables
// left as sentinels. It is false when the lexer fails or the word uses a
// ${name<modifier>...} form, whose result depends on the value.
func lexed(w string, escape rune) (string, bool) {
	if strings.ContainsAny(w, sentinelOpen+sentinelClose) {
		return "", false
	}
	for i := strings.Index(w, "${"); i >= 0; {
		j := i + 2
		for j < len(w) && (w[j] == '_' || unicode.IsLetter(rune(w[j])) || unicode.IsDigit(rune(w[j]))) {
			j++
		}
		if j >= len(w) || w[j] != '}' {
			return "", false
		}
		k := strings.Index(w[j:], "${")
		if k < 0 {
			break
		}
		i = j + k
	}
	res, _, err := shell.NewLex(escape).ProcessWord(w, recordEnv{})
	if err != nil {
		return "", false
	}
	return res, true
}

// oneWord reports whether BuildKit splits s into one word when it reads
// `key=value` pairs: no blank outside quotes (escaped blanks count as
// quoted).
func oneWord(s string, escape rune) bool {
	var quote rune
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case quote != 0:
			if r == quote {
				quote = 0
			} else if r == escape && quote != '\'' {
				escaped = true
			}
		case r == escape:
			escaped = true
		case r == '\'' || r == '"':
			quote = r
		case unicode.IsSpace(r):
			return false
		}
	}
	return s != "" && quote == 0 && !escaped
}
