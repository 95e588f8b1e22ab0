// This file defines the fix of JSONArgsRecommended: a CMD or ENTRYPOINT in
// shell form becomes the exec form, when the command uses nothing of the
// shell (a single simple command of plain words: no variables, globs,
// redirections, operators or builtins), so that the exec form runs exactly
// what the shell would have run.
package codeactions

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/dockwise/dockwise/analysis"
	"mvdan.cc/sh/v3/syntax"
)

func init() { register("JSONArgsRecommended", fixJSONArgs) }

func fixJSONArgs(in *Input, d analysis.Diagnostic) []*Action {
	inst := d.Instruction
	if inst == nil || !inst.Is("cmd") && !inst.Is("entrypoint") {
		return nil
	}
	f := in.File
	start, end, ok := inst.ShellForm()
	if ks, ke := inst.KeywordRange(); !ok || end <= start || ke <= ks || start < ke {
		return nil // the command's range is not known for sure
	}
	for l := f.LineOf(start); l <= f.LineOf(end); l++ {
		if isComment(f.Line(l)) {
			return nil // the rewrite would drop a comment inside the command
		}
	}
	s := f.Semantics().StageOf(inst)
	if s == nil || s.OS() == "windows" {
		return nil // cmd.exe does not read the command as sh does
	}
	if inst.Is("entrypoint") {
		// An exec-form ENTRYPOINT takes CMD as its arguments; a
		// shell-form one ignores it. Only without a CMD in the stage do
		// the two run the same.
		for _, other := range s.Instructions {
			if other.Is("cmd") {
				return nil
			}
		}
	}
	sc := inst.CommandScript()
	if sc == nil || sc.File == nil {
		return nil
	}
	args, ok := execArgs(sc.File)
	if !ok {
		return nil
	}
	exec := jsonArray(args)
	kw := strings.ToUpper(inst.Keyword())
	return []*Action{{
		Title:     "Use the exec form: " + short(kw+" "+exec, 90),
		Edits:     []Edit{{Start: start, End: end, NewText: exec}},
		Safe:      true,
		Preferred: true,
	}}
}

// shellBuiltins are commands that exist only inside a shell: the exec
// form cannot run them.
var shellBuiltins = map[string]bool{
	".": true, ":": true, "alias": true, "bg": true, "bind": true, "break": true, "builtin": true, "caller": true,
	"cd": true, "command": true, "compgen": true, "complete": true, "continue": true, "declare": true, "dirs": true,
	"disown": true, "enable": true, "eval": true, "exit": true, "export": true, "fc": true, "fg": true,
	"getopts": true, "hash": true, "help": true, "history": true, "jobs": true, "let": true, "local": true,
	"logout": true, "mapfile": true, "popd": true, "pushd": true, "read": true, "readarray": true, "readonly": true,
	"return": true, "set": true, "shift": true, "shopt": true, "source": true, "suspend": true, "times": true,
	"trap": true, "type": true, "typeset": true, "ulimit": true, "umask": true, "unalias": true, "unset": true,
	"wait": true,
}

// execArgs returns the argv a script runs when it is one simple command of
// literal words, or false when it uses anything the shell interprets.
func execArgs(f *syntax.File) ([]string, bool) {
	if len(f.Stmts) != 1 || len(f.Last) > 0 {
		return nil, false
	}
	st := f.Stmts[0]
	if st.Negated || st.Background || st.Coprocess || len(st.Redirs) > 0 || len(st.Comments) > 0 {
		return nil, false
	}
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || len(call.Assigns) > 0 || len(call.Args) == 0 {
		return nil, false
	}
	var args []string
	for _, w := range call.Args {
		s, ok := literalWord(w)
		if !ok {
			return nil, false
		}
		args = append(args, s)
	}
	if args[0] == "exec" {
		// `exec prog args` replaces the shell with prog: the exec form
		// does that from the start. Options of exec are left alone.
		if len(args) < 2 || strings.HasPrefix(args[1], "-") {
			return nil, false
		}
		args = args[1:]
	}
	if shellBuiltins[args[0]] || args[0] == "" {
		return nil, false
	}
	return args, true
}

// literalWord returns the value of a word made of literal text and
// quotes only: no expansion of any kind (parameters, commands,
// arithmetic, globs, braces, tilde).
func literalWord(w *syntax.Word) (string, bool) {
	var b strings.Builder
	for _, part := range w.Parts {
		switch p := part.(type) {
		case *syntax.Lit:
			v := p.Value
			for j := 0; j < len(v); j++ {
				c := v[j]
				switch {
				case c == '\\':
					if j+1 < len(v) {
						j++
						if v[j] != '\n' {
							b.WriteByte(v[j])
						}
					}
				case strings.IndexByte("*?[]{}$`~", c) >= 0:
					return "", false
				default:
					b.WriteByte(c)
				}
			}
		case *syntax.SglQuoted:
			if p.Dollar {
				return "", false
			}
			b.WriteString(p.Value)
		case *syntax.DblQuoted:
			if p.Dollar {
				return "", false
			}
			for _, q := range p.Parts {
				lit, ok := q.(*syntax.Lit)
				if !ok {
					return "", false
				}
				v := lit.Value
				for j := 0; j < len(v); j++ {
					c := v[j]
					if c == '\\' && j+1 < len(v) && strings.IndexByte("\"\\$`\n", v[j+1]) >= 0 {
						j++
						if v[j] != '\n' {
							b.WriteByte(v[j])
						}
						continue
					}
					if c == '$' || c == '`' {
						return "", false
					}
					b.WriteByte(c)
				}
			}
		default:
			return "", false
		}
	}
	return b.String(), true
}

// jsonArray writes args as a JSON array of strings, one space after each
// comma, with <, > and & as they are.
func jsonArray(args []string) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, a := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.Encode(a)
		b.Truncate(b.Len() - 1) // Encode's newline
	}
	b.WriteByte(']')
	return b.String()
}
