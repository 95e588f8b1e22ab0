// This file defines the command model of RUN: the simple commands a RUN
// executes, read from its shell syntax (see shell.go), with their
// arguments, the environment and directory the script gives them, and
// their Dockerfile positions. What each command does (which package
// manager, which operation) is in command_kinds.go. Commands are extracted
// once per instruction and cached with its chunk.
package analysis

import (
	"iter"
	"path"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"mvdan.cc/sh/v3/syntax"
)

// Command is one simple command a RUN executes.
type Command struct {
	// Name is the program's base name after unwrapping wrappers:
	// /usr/bin/npm is "npm", ./mvnw is "mvnw", `python3 -m pip` is "pip",
	// `corepack yarn` and `npx tsc` are "yarn" and "tsc", and `sudo`,
	// `env`, `exec`, `time`, `nohup`, `nice`, `command`, `xargs`, `gosu`
	// ... X is X. A program that is not a literal word keeps its source
	// text ("$PIP").
	Name string
	// Prog is the word naming the program, as written.
	Prog Word
	// Args are the arguments after the program (after `-m pip` for
	// `python -m pip`).
	Args []Word
	// Env is the environment the script gives the command, in the order
	// it was set (a later entry wins): exports earlier in the script
	// (`export A=1`, `declare -x`), assignments before the command
	// (`CGO_ENABLED=0 go build`) and `env X=1 cmd`. It does not hold the
	// Dockerfile's ENV and ARG (see Lookup).
	Env []EnvAssign
	// Dir is the directory literal `cd`s earlier in the script moved to:
	// "" for the WORKDIR, else an absolute path or a path relative to the
	// WORKDIR. DirUnknown is set after a `cd` whose target is not known.
	Dir        string
	DirUnknown bool
	// Start and End are the Dockerfile range of the whole simple command
	// (assignments before it included).
	Start, End int
	// Conditional is set when the command may not run: in an if, elif or
	// else (condition or body), in a loop body, in a case branch, or on
	// the right of `||`.
	Conditional bool
	// Nested counts the `sh -c '...'`, `bash -c` and `bash <<EOF` levels
	// the command is in (0 at the top level of the RUN).
	Nested int
	// Subst is set inside a command substitution: $(...), `...`, <(...).
	Subst bool

	// Eco and Op say what the command does; see command_kinds.go.
	Eco Ecosystem
	Op  Op
	// Sub is the subcommand as classified, words joined by a space:
	// "install", "ci", "run build", "mod download", "cache clean", the
	// goals or tasks of mvn and gradle; "" when there is none.
	Sub string
	// SubStart and SubEnd locate Sub's words (Prog's range when Sub is "").
	SubStart, SubEnd int
	// Targets are the named packages of OpInstallPkgs and OpRemovePkgs,
	// and the paths of OpCleanup by rm or find.
	Targets []Word
	// valueFlags are the classifier's flags that take the next argument.
	valueFlags []string
	subIdx     []int // indices in Args of Sub's words
}

// Word is a word of a command.
type Word struct {
	// Text is the value, quotes and escapes removed, when Literal; the
	// source text otherwise. A leading ~ is kept as is.
	Text    string
	Literal bool
	// Glob is set when the word holds an unquoted *, ? or [.
	Glob bool
	// Start and End are the Dockerfile range of the word. Inside a
	// `sh -c "..."` string that the shell unescapes, they are the range of
	// the whole string.
	Start, End int
}

// EnvAssign is a variable the script sets (or unsets) for a command.
type EnvAssign struct {
	Name  string
	Value Word
	Unset bool
}

// String returns the command as "name arg...".
func (c *Command) String() string {
	var b strings.Builder
	b.WriteString(c.Name)
	for _, a := range c.Args {
		b.WriteByte(' ')
		b.WriteString(a.Text)
	}
	return b.String()
}

// Getenv returns the script's last assignment to name for this command
// (Unset set when the script unset it), and false when the script does not
// touch the variable.
func (c *Command) Getenv(name string) (EnvAssign, bool) {
	for i := len(c.Env) - 1; i >= 0; i-- {
		if c.Env[i].Name == name {
			return c.Env[i], true
		}
	}
	return EnvAssign{}, false
}

// Lookup returns the value of an environment variable for the command:
// what the script sets, else what the Dockerfile defines at instruction in
// of stage s (see Stage.EnvAt).
func (c *Command) Lookup(s *Stage, in *Instruction, name string) (Value, bool) {
	if e, ok := c.Getenv(name); ok {
		if e.Unset {
			return Value{}, false
		}
		return Value{S: e.Value.Text, Known: e.Value.Literal}, true
	}
	if s == nil {
		return Value{}, false
	}
	return s.EnvAt(in, name)
}

// getoptPrograms accept clusters of one-letter flags (-qy, -rf).
var getoptPrograms = map[string]bool{
	"rm": true, "apt-get": true, "apt": true, "aptitude": true, "apk": true, "yum": true, "dnf": true,
	"microdnf": true, "tdnf": true, "pip": true, "uv": true, "chmod": true, "chown": true, "cp": true,
	"mkdir": true, "mv": true, "ln": true, "tar": true,
}

// Flag returns the first argument that is one of the flags: the same
// text, `--name=value` for a long flag given as "--name", and for
// getopt-style programs (rm, apt-get, apk, dnf, pip, ...) a one-letter
// flag inside a cluster ("-y" matches "-qy"). Only arguments before a
// `--` are flags.
func (c *Command) Flag(names ...string) (Word, bool) {
	i, _ := c.flagIndex(names)
	if i < 0 {
		return Word{}, false
	}
	return c.Args[i], true
}

func (c *Command) flagIndex(names []string) (int, string) {
	getopt := getoptPrograms[c.Name] || c.Eco == EcoPip
	for i, a := range c.Args {
		t := a.Text
		if t == "--" {
			break
		}
		if !a.Literal || len(t) < 2 || t[0] != '-' {
			continue
		}
		for _, n := range names {
			if t == n {
				return i, n
			}
			if strings.HasPrefix(n, "--") && strings.HasPrefix(t, n) && t[len(n)] == '=' {
				return i, n
			}
			if getopt && len(n) == 2 && n[0] == '-' && t[1] != '-' && isLetters(t[1:]) && strings.IndexByte(t[1:], n[1]) >= 0 {
				return i, n
			}
		}
	}
	return -1, ""
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if !('a' <= s[i] && s[i] <= 'z' || 'A' <= s[i] && s[i] <= 'Z') {
			return false
		}
	}
	return s != ""
}

// FlagValue returns the value of the first of the flags given: the part
// after "=" (`--omit=dev`; its range is the value's when it can be
// located), or the next argument (`-r requirements.txt`).
func (c *Command) FlagValue(names ...string) (Word, bool) {
	for i, a := range c.Args {
		t := a.Text
		if t == "--" {
			break
		}
		if !a.Literal || len(t) < 2 || t[0] != '-' {
			continue
		}
		for _, n := range names {
			if t == n {
				if i+1 < len(c.Args) {
					return c.Args[i+1], true
				}
				return Word{}, false
			}
			if strings.HasPrefix(t, n) && len(t) > len(n) && t[len(n)] == '=' {
				w := a
				w.Text = t[len(n)+1:]
				if w.End-w.Start == len(t) {
					w.Start += len(n) + 1
				}
				return w, true
			}
		}
	}
	return Word{}, false
}

// Operands returns the arguments after the subcommand that are neither
// flags nor values of flags the classifier knows take one.
func (c *Command) Operands() []Word {
	first := 0
	if len(c.subIdx) > 0 {
		first = c.subIdx[len(c.subIdx)-1] + 1
	}
	return c.operandsFrom(first)
}

func (c *Command) operandsFrom(first int) []Word {
	idx := c.operandIdx(first)
	if len(idx) == 0 {
		return nil
	}
	out := make([]Word, len(idx))
	for j, i := range idx {
		out[j] = c.Args[i]
	}
	return out
}

func takesValue(flags []string, f string) bool {
	for _, v := range flags {
		if v == f {
			return true
		}
	}
	return false
}

// cmdCache holds a RUN's commands, with the offsets of the last file
// version they were asked for: one copy, shifted when an edit above the
// instruction moves it.
type cmdCache struct {
	once sync.Once
	ok   bool
	last atomic.Pointer[shiftedCommands]
}

type shiftedCommands struct {
	off  int // the chunk's offset in the file the offsets are for
	cmds []Command
}

// Commands returns the simple commands the RUN executes with the given
// SHELL (nil means DefaultShell), in the order they appear. It returns nil
// for other instructions, exec forms that do not call `sh -c`, shells that
// are not POSIX-like, and scripts that do not parse: nil means "not
// known", an empty slice "no command". The commands are extracted once
// per instruction (any POSIX shell reads the script alike) and shared:
// callers must not modify the result.
func (in *Instruction) Commands(shell []string) []Command {
	if !in.Is("run") {
		return nil
	}
	if shell != nil && !IsPOSIXShell(shell) {
		return nil
	}
	s := in.sem()
	off := in.ChunkStart()
	s.run.cmds.once.Do(func() {
		var cmds []Command
		if cmds, s.run.cmds.ok = in.extractCommands(); s.run.cmds.ok {
			s.run.cmds.last.Store(&shiftedCommands{off: off, cmds: cmds})
		}
	})
	if !s.run.cmds.ok {
		return nil
	}
	l := s.run.cmds.last.Load()
	if l.off == off {
		return l.cmds
	}
	// Another version of the file (this chunk is shared by all of them)
	// asked last: versions are immutable, so shift a copy.
	cmds := shiftCommands(l.cmds, off-l.off)
	s.run.cmds.last.Store(&shiftedCommands{off: off, cmds: cmds})
	return cmds
}

// shiftCommands copies commands, adding d to every offset.
func shiftCommands(rel []Command, d int) []Command {
	out := make([]Command, len(rel))
	n := 0
	for i := range rel {
		n += len(rel[i].Args) + len(rel[i].Env) + len(rel[i].Targets)
	}
	words := make([]Word, 0, n)
	envs := make([]EnvAssign, 0, n)
	shiftW := func(ws []Word) []Word {
		if ws == nil {
			return nil
		}
		start := len(words)
		for _, w := range ws {
			w.Start += d
			w.End += d
			words = append(words, w)
		}
		return words[start:len(words):len(words)]
	}
	for i := range rel {
		c := rel[i]
		c.Start += d
		c.End += d
		c.SubStart += d
		c.SubEnd += d
		c.Prog.Start += d
		c.Prog.End += d
		c.Args = shiftW(c.Args)
		c.Targets = shiftW(c.Targets)
		if c.Env != nil {
			start := len(envs)
			for _, e := range c.Env {
				e.Value.Start += d
				e.Value.End += d
				envs = append(envs, e)
			}
			c.Env = envs[start:len(envs):len(envs)]
		}
		out[i] = c
	}
	return out
}

// extractCommands reads the commands of the RUN, with offsets relative to
// the instruction's chunk. The script is built afresh rather than taken
// from ShellScript's cache so that its base offset is this file's.
func (in *Instruction) extractCommands() (cmds []Command, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			cmds, ok = nil, false
		}
	}()
	sc := in.buildShellScript()
	if sc == nil || sc.File == nil {
		return nil, false
	}
	return walkCommands(sc.File.Stmts, &mapper{src: sc.Src, base: sc.Base, exact: true, joined: !sc.Heredoc})
}

// walkCommands returns the commands of a script's statements; ok is false
// if the walk panicked (on shell syntax it does not expect).
func walkCommands(stmts []*syntax.Stmt, m *mapper) (cmds []Command, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			cmds, ok = nil, false
		}
	}()
	scratch := commandScratch.Get().(*[]Command)
	w := &walker{out: (*scratch)[:0]} // funcs: made at the script's first function
	w.stmts(stmts, &shState{}, walkCtx{m: m})
	// The commands stay as long as the instruction: keep them in a slice
	// of their own size, not in one that grew by doubling.
	cmds = make([]Command, len(w.out))
	copy(cmds, w.out)
	clear(w.out) // the scratch must not keep the script alive
	*scratch = w.out[:0]
	commandScratch.Put(scratch)
	return cmds, true
}

// commandScratch holds the slices the walker appends to, reused from one
// RUN to the next.
var commandScratch = sync.Pool{New: func() any { return new([]Command) }}

// mapper maps positions in a script to chunk-relative offsets: exactly,
// or, for a script the shell unescaped, every position to the range of
// the string that held it.
type mapper struct {
	src    string
	base   int
	exact  bool
	lo, hi int
	// joined is set for scripts read from a shell-form RUN, where
	// BuildKit removed the line continuations before the shell ran.
	joined bool
}

func (m *mapper) off(p syntax.Pos) int {
	if m.exact {
		return m.base + int(p.Offset())
	}
	return m.lo
}

func (m *mapper) span(n syntax.Node) (int, int) {
	if m.exact {
		return m.base + int(n.Pos().Offset()), m.base + int(n.End().Offset())
	}
	return m.lo, m.hi
}

// text returns the script source of a node.
func (m *mapper) text(n syntax.Node) string {
	s, e := int(n.Pos().Offset()), int(n.End().Offset())
	if s < 0 || e > len(m.src) || s > e {
		return ""
	}
	return m.src[s:e]
}

// shState is the shell state commands inherit: exported variables, shell
// variables and the directory.
type shState struct {
	env        []EnvAssign
	vars       map[string]Word
	dir        string
	dirUnknown bool
}

func (s *shState) clone() *shState {
	c := &shState{env: s.env[:len(s.env):len(s.env)], dir: s.dir, dirUnknown: s.dirUnknown}
	if s.vars != nil {
		c.vars = make(map[string]Word, len(s.vars))
		for k, v := range s.vars {
			c.vars[k] = v
		}
	}
	return c
}

func (s *shState) exported(name string) bool {
	for _, e := range s.env {
		if e.Name == name {
			return !e.Unset
		}
	}
	return false
}

type walkCtx struct {
	m      *mapper
	cond   bool
	nested int
	subst  bool
}

const (
	maxCommands = 4096 // per RUN
	maxNesting  = 4    // sh -c levels
	maxCalls    = 4    // function call depth
)

type walker struct {
	out   []Command
	funcs map[string]*syntax.Stmt
	calls int
}

func (w *walker) stmts(ss []*syntax.Stmt, st *shState, c walkCtx) {
	for _, s := range ss {
		w.stmt(s, st, c)
	}
}

func (w *walker) stmt(s *syntax.Stmt, st *shState, c walkCtx) {
	if s == nil || len(w.out) >= maxCommands {
		return
	}
	for _, r := range s.Redirs {
		if r.Word != nil {
			w.substs(r.Word, st, c)
		}
	}
	switch x := s.Cmd.(type) {
	case *syntax.CallExpr:
		w.call(x, s.Redirs, st, c)
	case *syntax.BinaryCmd:
		switch x.Op {
		case syntax.AndStmt:
			w.stmt(x.X, st, c)
			w.stmt(x.Y, st, c)
		case syntax.OrStmt:
			w.stmt(x.X, st, c)
			cc := c
			cc.cond = true
			w.stmt(x.Y, st, cc)
		default: // pipes: each side runs in a subshell
			w.stmt(x.X, st.clone(), c)
			w.stmt(x.Y, st.clone(), c)
		}
	case *syntax.Subshell:
		w.stmts(x.Stmts, st.clone(), c)
	case *syntax.Block:
		w.stmts(x.Stmts, st, c)
	case *syntax.IfClause:
		cc := c
		cc.cond = true
		for ic := x; ic != nil; ic = ic.Else {
			w.stmts(ic.Cond, st, cc)
			w.stmts(ic.Then, st, cc)
		}
	case *syntax.WhileClause:
		cc := c
		cc.cond = true
		w.stmts(x.Cond, st, cc)
		w.stmts(x.Do, st, cc)
	case *syntax.ForClause:
		if wi, ok := x.Loop.(*syntax.WordIter); ok {
			for _, it := range wi.Items {
				w.substs(it, st, c)
			}
		}
		cc := c
		cc.cond = true
		w.stmts(x.Do, st, cc)
	case *syntax.CaseClause:
		if x.Word != nil {
			w.substs(x.Word, st, c)
		}
		cc := c
		cc.cond = true
		for _, it := range x.Items {
			w.stmts(it.Stmts, st, cc)
		}
	case *syntax.FuncDecl:
		if x.Name != nil {
			if w.funcs == nil {
				w.funcs = map[string]*syntax.Stmt{}
			}
			w.funcs[x.Name.Value] = x.Body
		}
	case *syntax.DeclClause:
		w.decl(x, st, c)
	case *syntax.TimeClause:
		w.stmt(x.Stmt, st, c)
	case *syntax.CoprocClause:
		w.stmt(x.Stmt, st.clone(), c)
	}
}

// substs walks the command substitutions of a word.
func (w *walker) substs(word *syntax.Word, st *shState, c walkCtx) {
	if word == nil {
		return
	}
	for _, p := range word.Parts {
		w.substPart(p, st, c)
	}
}

func (w *walker) substPart(p syntax.WordPart, st *shState, c walkCtx) {
	cc := c
	cc.subst = true
	switch x := p.(type) {
	case *syntax.CmdSubst:
		w.stmts(x.Stmts, st.clone(), cc)
	case *syntax.ProcSubst:
		w.stmts(x.Stmts, st.clone(), cc)
	case *syntax.DblQuoted:
		for _, q := range x.Parts {
			w.substPart(q, st, c)
		}
	}
}

// decl handles export, declare, local, readonly and typeset.
func (w *walker) decl(x *syntax.DeclClause, st *shState, c walkCtx) {
	variant := ""
	if x.Variant != nil {
		variant = x.Variant.Value
	}
	export := variant == "export"
	for _, a := range x.Args {
		if a.Name == nil && a.Value != nil {
			if opt := a.Value.Lit(); strings.HasPrefix(opt, "-") && strings.Contains(opt, "x") {
				export = true
			}
		}
	}
	for _, a := range x.Args {
		if a.Value != nil {
			w.substs(a.Value, st, c)
		}
		if a.Name == nil {
			continue
		}
		name := a.Name.Value
		var val Word
		has := false
		if !a.Naked {
			val, has = w.assignValue(a, c.m, st), true
		} else if v, ok := st.vars[name]; ok {
			val, has = v, true
		}
		if !export {
			if has {
				st.setVar(name, val)
			}
			continue
		}
		if !has {
			// `export NAME` of a variable the script does not know: it
			// may come from ENV; nothing changes.
			continue
		}
		st.env = append(st.env[:len(st.env):len(st.env)], EnvAssign{Name: name, Value: val})
	}
}

func (s *shState) setVar(name string, v Word) {
	if s.vars == nil {
		s.vars = map[string]Word{}
	}
	s.vars[name] = v
}

// assignValue returns the value of an assignment as a Word.
func (w *walker) assignValue(a *syntax.Assign, m *mapper, st *shState) Word {
	if a.Value == nil {
		var s, e int
		if a.Name != nil {
			s, e = m.span(a)
			s = e
		}
		return Word{Text: "", Literal: a.Array == nil, Start: s, End: e}
	}
	return w.word(a.Value, m, st)
}

// word converts a shell word.
func (w *walker) word(sw *syntax.Word, m *mapper, st *shState) Word {
	s, e := m.span(sw)
	text, lit, glob := wordValue(sw, m.joined)
	if !lit {
		text = m.text(sw)
		// A lone $VAR the script set to a literal is that literal.
		if len(sw.Parts) == 1 {
			if pe, ok := sw.Parts[0].(*syntax.ParamExp); ok && isPlainParam(pe) {
				if v, ok := st.lookup(pe.Param.Value); ok && v.Literal {
					return Word{Text: v.Text, Literal: true, Start: s, End: e}
				}
			}
		}
	}
	return Word{Text: text, Literal: lit, Glob: glob, Start: s, End: e}
}

func isPlainParam(pe *syntax.ParamExp) bool {
	return pe.Param != nil && !pe.Excl && !pe.Length && !pe.Width && !pe.IsSet && pe.Index == nil &&
		pe.Slice == nil && pe.Repl == nil && pe.Exp == nil && len(pe.Modifiers) == 0 && pe.NestedParam == nil
}

func (s *shState) lookup(name string) (Word, bool) {
	for i := len(s.env) - 1; i >= 0; i-- {
		if s.env[i].Name == name {
			return s.env[i].Value, !s.env[i].Unset
		}
	}
	v, ok := s.vars[name]
	return v, ok
}

// wordValue returns a word's value when it has no expansions.
func wordValue(sw *syntax.Word, joined bool) (text string, literal, glob bool) {
	if len(sw.Parts) == 1 {
		if l, ok := sw.Parts[0].(*syntax.Lit); ok && !strings.ContainsAny(l.Value, "\\*?[") {
			return l.Value, true, false
		}
	}
	var b strings.Builder
	for _, p := range sw.Parts {
		switch x := p.(type) {
		case *syntax.Lit:
			v := x.Value
			for i := 0; i < len(v); i++ {
				ch := v[i]
				if ch == '\\' {
					if i+1 < len(v) {
						i++
						if v[i] != '\n' {
							b.WriteByte(v[i])
						}
					}
					continue
				}
				if ch == '*' || ch == '?' || ch == '[' {
					glob = true
				}
				b.WriteByte(ch)
			}
		case *syntax.SglQuoted:
			if x.Dollar {
				return "", false, false
			}
			v := x.Value
			if joined {
				v = strings.ReplaceAll(v, "\\\n", "")
			}
			b.WriteString(v)
		case *syntax.DblQuoted:
			if x.Dollar {
				return "", false, false
			}
			for _, q := range x.Parts {
				l, ok := q.(*syntax.Lit)
				if !ok {
					return "", false, false
				}
				b.WriteString(unescapeDouble(l.Value))
			}
		default:
			return "", false, false
		}
	}
	return b.String(), true, glob
}

// unescapeDouble removes the backslashes the shell removes in double
// quotes: before $, `, ", \ and a newline (which goes too).
func unescapeDouble(v string) string {
	if !strings.Contains(v, "\\") {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			switch v[i+1] {
			case '$', '`', '"', '\\':
				i++
				b.WriteByte(v[i])
				continue
			case '\n':
				i++
				continue
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// shells are the programs whose `-c` script (or heredoc on stdin) is
// parsed as a nested script.
var shells = map[string]bool{"sh": true, "bash": true, "dash": true, "ash": true, "zsh": true, "ksh": true, "mksh": true}

func (w *walker) call(x *syntax.CallExpr, redirs []*syntax.Redirect, st *shState, c walkCtx) {
	for _, a := range x.Assigns {
		if a.Value != nil {
			w.substs(a.Value, st, c)
		}
	}
	for _, a := range x.Args {
		w.substs(a, st, c)
	}
	if len(x.Args) == 0 {
		// NAME=value: a shell variable, or an exported one updated.
		for _, a := range x.Assigns {
			if a.Name == nil {
				continue
			}
			v := w.assignValue(a, c.m, st)
			if st.exported(a.Name.Value) {
				st.env = append(st.env[:len(st.env):len(st.env)], EnvAssign{Name: a.Name.Value, Value: v})
			} else {
				st.setVar(a.Name.Value, v)
			}
		}
		return
	}
	start, end := c.m.span(x)
	env := st.env[:len(st.env):len(st.env)]
	for _, a := range x.Assigns {
		if a.Name != nil {
			env = append(env, EnvAssign{Name: a.Name.Value, Value: w.assignValue(a, c.m, st)})
		}
	}
	words := make([]Word, len(x.Args))
	for i, a := range x.Args {
		words[i] = w.word(a, c.m, st)
	}
	// Unwrap wrappers (sudo, env, exec, python -m, npx, ...).
	dir, dirUnknown := st.dir, st.dirUnknown
	i := 0
	for guard := 0; guard < 8 && i < len(words); guard++ {
		n, adv, extra, d := unwrap(words[i:])
		if adv == 0 {
			break
		}
		if n < 0 {
			// A wrapper with no command (`env`, `sudo -v`): it is the command.
			break
		}
		env = append(env, extra...)
		if d != "" {
			dir, dirUnknown = joinDir(dir, d)
		}
		i += adv
	}
	prog := words[i]
	name := programName(prog)
	args := words[i+1:]
	// python -m pip: the module is the program.
	if isPython(name) {
		if j := pythonModule(args); j >= 0 {
			prog = args[j]
			name = args[j].Text
			args = args[j+1:]
		}
	}
	// php composer.phar install: the PHAR is the program.
	if name == "php" && len(args) > 0 && args[0].Literal && strings.HasSuffix(args[0].Text, ".phar") {
		prog = args[0]
		name = strings.TrimSuffix(programName(prog), ".phar")
		args = args[1:]
	}

	if fn, ok := w.funcs[name]; ok && prog.Literal && w.calls < maxCalls {
		w.calls++
		w.stmt(fn, st, c)
		w.calls--
		return
	}

	if shells[name] && c.nested < maxNesting {
		if w.nested(name, args, x, redirs, st, env, dir, dirUnknown, c) {
			return
		}
	}

	cmd := Command{
		Name: name, Prog: prog, Args: args, Env: env, Dir: dir, DirUnknown: dirUnknown,
		Start: start, End: end, Conditional: c.cond, Nested: c.nested, Subst: c.subst,
	}
	if len(cmd.Env) == 0 {
		cmd.Env = nil
	}
	setKind(&cmd)
	w.out = append(w.out, cmd)

	switch name {
	case "cd", "pushd":
		w.cd(args, st)
	case "popd":
		st.dirUnknown = true
	case "unset":
		for _, a := range args {
			if a.Literal && !strings.HasPrefix(a.Text, "-") {
				st.env = append(st.env[:len(st.env):len(st.env)], EnvAssign{Name: a.Text, Unset: true})
				delete(st.vars, a.Text)
			}
		}
	}
}

// nested parses the script a shell runs (`sh -c SCRIPT`, `bash <<EOF`,
// `bash <<< SCRIPT`) and walks it; false when there is none to parse.
func (w *walker) nested(name string, args []Word, x *syntax.CallExpr, redirs []*syntax.Redirect, st *shState, env []EnvAssign, dir string, dirUnknown bool, c walkCtx) bool {
	// Find the -c flag and the script operand.
	sawC, script := false, -1
	for j := 0; j < len(args); j++ {
		t := args[j].Text
		if !args[j].Literal {
			return false
		}
		if t == "--" {
			if j+1 < len(args) {
				script = j + 1
			}
			break
		}
		if len(t) > 1 && (t[0] == '-' || t[0] == '+') {
			if strings.HasPrefix(t, "--") {
				continue // --login, --noprofile, ...
			}
			if strings.ContainsRune(t, 'c') {
				sawC = true
			}
			if strings.ContainsRune(t, 'o') || strings.ContainsRune(t, 'O') {
				j++ // -o pipefail
			}
			continue
		}
		script = j
		break
	}
	inner := c
	inner.nested++
	cst := st.clone()
	cst.env, cst.dir, cst.dirUnknown = env, dir, dirUnknown
	cst.vars = nil // a child shell sees only the exported variables
	if sawC {
		if script < 0 {
			return false
		}
		sw := x.Args[len(x.Args)-len(args)+script]
		m, src, ok := w.scriptOf(sw, c.m)
		if !ok {
			return false
		}
		return w.parseNested(src, m, cst, inner)
	}
	if script >= 0 {
		return false // a script file
	}
	for _, r := range redirs {
		switch {
		case (r.Op == syntax.Hdoc || r.Op == syntax.DashHdoc) && r.Hdoc != nil:
			src := c.m.text(r.Hdoc)
			// The parser's end of a heredoc body may take in the closing
			// delimiter line: drop it.
			if r.Word != nil {
				delim, _, _ := wordValue(r.Word, false)
				if i := strings.LastIndexByte(src, '\n'); i >= 0 && strings.TrimLeft(src[i+1:], "\t") == delim {
					src = src[:i+1]
				} else if i < 0 && strings.TrimLeft(src, "\t") == delim {
					src = ""
				}
			}
			m := &mapper{src: src, exact: c.m.exact, lo: c.m.lo, hi: c.m.hi}
			if c.m.exact {
				m.base = c.m.off(r.Hdoc.Pos())
			}
			return w.parseNested(src, m, cst, inner)
		case r.Op == syntax.WordHdoc && r.Word != nil:
			m, src, ok := w.scriptOf(r.Word, c.m)
			if !ok {
				return false
			}
			return w.parseNested(src, m, cst, inner)
		}
	}
	return false
}

func (w *walker) parseNested(src string, m *mapper, st *shState, c walkCtx) bool {
	p := shellParsers.Get().(*syntax.Parser)
	f, err := p.Parse(strings.NewReader(src), "")
	shellParsers.Put(p)
	if err != nil {
		return false
	}
	c.m = m
	w.stmts(f.Stmts, st, c)
	return true
}

// scriptOf returns the script a shell word holds, with the mapper of its
// positions.
func (w *walker) scriptOf(sw *syntax.Word, outer *mapper) (*mapper, string, bool) {
	lo, hi := outer.span(sw)
	approx := &mapper{lo: lo, hi: hi}
	if len(sw.Parts) == 1 && outer.exact {
		var inner string
		var at syntax.Pos
		exact := false
		switch x := sw.Parts[0].(type) {
		case *syntax.SglQuoted:
			if !x.Dollar {
				inner, at, exact = x.Value, x.Left, true
				at = syntax.NewPos(at.Offset()+1, 0, 0)
			}
		case *syntax.DblQuoted:
			if !x.Dollar && x.Right.Offset() > x.Left.Offset() {
				raw := outer.src[x.Left.Offset()+1 : x.Right.Offset()]
				if onlyLits(x.Parts) && !strings.Contains(strings.ReplaceAll(raw, "\\\n", ""), "\\") {
					inner, at, exact = raw, syntax.NewPos(x.Left.Offset()+1, 0, 0), true
				}
			}
		case *syntax.Lit:
			if !strings.Contains(x.Value, "\\") {
				inner, at, exact = x.Value, x.ValuePos, true
			}
		}
		if exact {
			if outer.joined {
				// The continuation BuildKit removed: keep offsets.
				inner = strings.ReplaceAll(inner, "\\\n", "  ")
			}
			return &mapper{src: inner, base: outer.base + int(at.Offset()), exact: true}, inner, true
		}
	}
	text, lit, _ := wordValue(sw, outer.joined)
	if !lit {
		return nil, "", false
	}
	approx.src = text
	return approx, text, true
}

func onlyLits(ps []syntax.WordPart) bool {
	for _, p := range ps {
		if _, ok := p.(*syntax.Lit); !ok {
			return false
		}
	}
	return true
}

// cd updates the directory.
func (w *walker) cd(args []Word, st *shState) {
	var target *Word
	for j := range args {
		if args[j].Literal && (args[j].Text == "-P" || args[j].Text == "-L" || args[j].Text == "-e" || args[j].Text == "--") {
			continue
		}
		target = &args[j]
		break
	}
	if target == nil || !target.Literal || target.Text == "-" || strings.HasPrefix(target.Text, "~") || target.Glob {
		st.dirUnknown = true
		return
	}
	st.dir, st.dirUnknown = joinDir(st.dir, target.Text)
}

// joinDir applies `cd d` to dir.
func joinDir(dir, d string) (string, bool) {
	if path.IsAbs(d) {
		return path.Clean(d), false
	}
	if dir == "" {
		c := path.Clean(d)
		if c == "." {
			return "", false
		}
		return c, false
	}
	return path.Join(dir, d), false
}

// programName returns the base name of the program a word names.
func programName(w Word) string {
	if !w.Literal {
		return w.Text
	}
	t := w.Text
	if i := strings.LastIndexByte(t, '/'); i >= 0 && i < len(t)-1 {
		t = t[i+1:]
	}
	return t
}

func isPython(name string) bool {
	if name == "python" || name == "python3" || name == "python2" || name == "pypy3" {
		return true
	}
	if strings.HasPrefix(name, "python3.") || strings.HasPrefix(name, "python2.") {
		return true
	}
	return false
}

// pythonModule returns the index of the module of `python [opts] -m
// module`, or -1.
func pythonModule(args []Word) int {
	for j := 0; j < len(args); j++ {
		t := args[j].Text
		if !args[j].Literal || !strings.HasPrefix(t, "-") {
			return -1
		}
		switch {
		case t == "-m":
			if j+1 < len(args) && args[j+1].Literal {
				return j + 1
			}
			return -1
		case t == "-X" || t == "-W":
			j++
		}
	}
	return -1
}

// wrapperFlags lists, per wrapper, its flags that take a value.
var wrapperFlags = map[string][]string{
	"sudo":    {"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "--user", "--group", "--chdir"},
	"nice":    {"-n", "--adjustment"},
	"ionice":  {"-c", "-n", "-p", "-P", "-u"},
	"stdbuf":  {"-i", "-o", "-e"},
	"timeout": {"-s", "-k", "--signal", "--kill-after"},
	"xargs":   {"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-lines", "--replace"},
	"time":    {"-f", "-o", "--format", "--output"},
	"npx":     {"-p", "--package", "-c", "--call"},
	"tini":    {"-s", "-e", "-p"},
	"nohup":   nil, "exec": {"-a"}, "command": nil, "builtin": nil, "eatmydata": nil, "fakeroot": nil,
	"dumb-init": nil, "catchsegv": nil, "chronic": nil,
}

// unwrap recognizes a wrapper at ws[0] and returns the index of the
// wrapped command in ws (-1 when there is none; adv 0 when ws[0] is not a
// wrapper), the variables it sets and the directory it changes to.
func unwrap(ws []Word) (next, adv int, env []EnvAssign, dir string) {
	if !ws[0].Literal {
		return 0, 0, nil, ""
	}
	name := programName(ws[0])
	skipFlags := func(from int, valued []string, stopAtFirst bool) int {
		j := from
		for j < len(ws) {
			t := ws[j].Text
			if !ws[j].Literal {
				return j
			}
			if t == "--" {
				return j + 1
			}
			if len(t) < 2 || t[0] != '-' {
				return j
			}
			if !strings.Contains(t, "=") && takesValue(valued, t) {
				j++
			}
			j++
		}
		return j
	}
	result := func(j int) (int, int, []EnvAssign, string) {
		if j >= len(ws) {
			return -1, 1, nil, ""
		}
		return j, j, env, dir
	}
	switch name {
	case "env":
		j := 1
		for j < len(ws) {
			t := ws[j].Text
			if !ws[j].Literal {
				break
			}
			if t == "--" {
				j++
				break
			}
			if t == "-u" || t == "--unset" {
				if j+1 < len(ws) {
					env = append(env, EnvAssign{Name: ws[j+1].Text, Unset: true})
				}
				j += 2
				continue
			}
			if strings.HasPrefix(t, "--unset=") {
				env = append(env, EnvAssign{Name: strings.TrimPrefix(t, "--unset="), Unset: true})
				j++
				continue
			}
			if t == "-C" || t == "--chdir" {
				if j+1 < len(ws) {
					dir = ws[j+1].Text
				}
				j += 2
				continue
			}
			if strings.HasPrefix(t, "-") {
				j++
				continue
			}
			if k := strings.IndexByte(t, '='); k > 0 && isName(t[:k]) {
				v := ws[j]
				v.Text = t[k+1:]
				if v.End-v.Start == len(t) {
					v.Start += k + 1
				}
				env = append(env, EnvAssign{Name: t[:k], Value: v})
				j++
				continue
			}
			break
		}
		return result(j)
	case "command":
		if len(ws) > 1 && (ws[1].Text == "-v" || ws[1].Text == "-V") {
			return -1, 1, nil, ""
		}
		return result(skipFlags(1, nil, false))
	case "gosu", "su-exec":
		return result(2)
	case "corepack":
		if len(ws) > 1 && ws[1].Literal {
			switch programName(ws[1]) {
			case "yarn", "pnpm", "npm", "npx", "pnpx":
				return result(1)
			}
		}
		return 0, 0, nil, ""
	case "npx", "pnpx", "bunx":
		return result(skipFlags(1, wrapperFlags["npx"], false))
	case "pnpm", "yarn":
		// `pnpm exec tsc`, `pnpm dlx x`, `yarn dlx x`, `yarn exec x`
		if len(ws) > 2 && ws[1].Literal && (ws[1].Text == "exec" || ws[1].Text == "dlx") {
			return result(skipFlags(2, nil, false))
		}
		return 0, 0, nil, ""
	case "npm":
		if len(ws) > 2 && ws[1].Literal && (ws[1].Text == "exec" || ws[1].Text == "x") {
			return result(skipFlags(2, wrapperFlags["npx"], false))
		}
		return 0, 0, nil, ""
	case "bundle":
		if len(ws) > 2 && ws[1].Literal && ws[1].Text == "exec" {
			return result(2)
		}
		return 0, 0, nil, ""
	case "timeout":
		j := skipFlags(1, wrapperFlags["timeout"], false)
		return result(j + 1) // the duration
	}
	valued, ok := wrapperFlags[name]
	if !ok {
		return 0, 0, nil, ""
	}
	return result(skipFlags(1, valued, false))
}

func isName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return s != ""
}

// ShellAt returns the SHELL in effect at an instruction of the stage (nil
// for the default): the stage's last SHELL before it, else its parent
// stage's.
func (s *Stage) ShellAt(in *Instruction) []string {
	var shell []string
	if s.Parent != nil {
		shell = s.Parent.Shell
	}
	for _, x := range s.Instructions {
		if x == in {
			break
		}
		if sc, ok := x.Command().(*instructions.ShellCommand); ok {
			shell = sc.Shell
		}
	}
	return shell
}

// Runs yields each RUN of the stage with its commands under the SHELL in
// effect there (nil commands when they are not known: a non-POSIX shell,
// an exec form, a script that does not parse).
func (s *Stage) Runs() iter.Seq2[*Instruction, []Command] {
	return func(yield func(*Instruction, []Command) bool) {
		var shell []string
		if s.Parent != nil {
			shell = s.Parent.Shell
		}
		for _, in := range s.Instructions {
			switch c := in.Command().(type) {
			case *instructions.ShellCommand:
				shell = c.Shell
			case *instructions.RunCommand:
				if !yield(in, in.Commands(shell)) {
					return
				}
			}
		}
	}
}

// EnvAt returns the value the Dockerfile gives a variable at an
// instruction of the stage: ENV, ARG with a value, or the base image's
// environment (not what RUN scripts export: see Command.Lookup). ok is
// false when nothing defines it. The value is unknown when the base image
// is, or when the stage sets the variable again after the instruction
// (the model keeps the scope at the end of the stage).
func (s *Stage) EnvAt(in *Instruction, name string) (Value, bool) {
	v, ok := s.Env.Lookup(name)
	if !ok {
		return Value{}, false
	}
	if v.Kind == EnvVar || v.Kind == StageArg {
		if def := s.m.Definition(v); def != nil && in != nil && def.Index >= in.Index && s.m.StageOf(def) == s {
			return Value{}, true
		}
	}
	return v.Value, true
}
