// This file defines the shell syntax of RUN instructions: the script a RUN
// hands to its shell, parsed with mvdan.cc/sh, with offsets that map back
// to the Dockerfile. Scripts are parsed once per instruction and shell.
package analysis

import (
	"path"
	"strings"
	"sync"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"mvdan.cc/sh/v3/syntax"
)

// DefaultShell is the shell BuildKit runs shell-form commands with on Linux.
var DefaultShell = []string{"/bin/sh", "-c"}

// ShellScript is the shell syntax of one RUN.
type ShellScript struct {
	// File is the parsed script; nil when it did not parse (see Err).
	File *syntax.File
	// Src is the script text. Byte i of Src is byte Base+i of the Dockerfile.
	Src  string
	Base int
	// Err is the shell parser's error, if any.
	Err error
	// Heredoc is set when the script is the body of a heredoc (`RUN <<EOF`).
	Heredoc bool
}

// Offset converts a position in the script to a Dockerfile byte offset.
func (s *ShellScript) Offset(p syntax.Pos) int { return s.Base + int(p.Offset()) }

// IsPOSIXShell reports whether a SHELL command line is a POSIX-like shell
// whose scripts can be parsed (sh, bash, ash, dash, ksh, zsh), as opposed
// to, say, PowerShell or cmd.
func IsPOSIXShell(shell []string) bool {
	if len(shell) == 0 {
		return false
	}
	switch strings.TrimSuffix(path.Base(strings.ReplaceAll(shell[0], `\`, "/")), ".exe") {
	case "sh", "bash", "ash", "dash", "ksh", "mksh", "zsh", "busybox":
		return true
	}
	return false
}

type shellCache struct {
	once   sync.Once
	script *ShellScript
}

// ShellScript returns the shell syntax of a RUN instruction run by the
// given shell (nil means DefaultShell): for the shell form, the command
// with its heredocs; for `RUN <<EOF` alone, the heredoc body; for an exec
// form that calls `sh -c SCRIPT`, that script. It returns nil for other
// instructions, other exec forms, and shells that are not POSIX-like
// (those scripts are left unparsed rather than guessed at). The result for
// the default shell is cached with the instruction.
func (in *Instruction) ShellScript(shell []string) *ShellScript {
	if !in.Is("run") {
		return nil
	}
	if shell == nil {
		shell = DefaultShell
	}
	if !IsPOSIXShell(shell) {
		return nil
	}
	if !slicesEqual(shell, DefaultShell) {
		return in.buildShellScript()
	}
	s := in.sem()
	s.run.shell.once.Do(func() {
		// Cached with the chunk, which outlives this File: keep the base
		// relative to the chunk's start.
		if sc := in.buildShellScript(); sc != nil {
			sc.Base -= in.ref.off
			s.run.shell.script = sc
		}
	})
	if s.run.shell.script == nil {
		return nil
	}
	sc := *s.run.shell.script
	sc.Base += in.ref.off
	return &sc
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (in *Instruction) buildShellScript() *ShellScript {
	src, base, heredoc, ok := in.shellSource()
	if !ok {
		return nil
	}
	return parseScript(src, base, heredoc)
}

// shellSource returns the text buildShellScript parses: the script, the
// Dockerfile offset of its first byte, and whether it is a heredoc body.
func (in *Instruction) shellSource() (src string, base int, heredoc, ok bool) {
	run, ok := in.Command().(*instructions.RunCommand)
	if !ok {
		return "", 0, false, false
	}
	if !run.PrependShell {
		// Exec form: only `["sh", "-c", "script"]` carries shell syntax.
		args := run.CmdLine
		if len(args) >= 3 && IsPOSIXShell(args[:1]) && args[1] == "-c" {
			src := args[2]
			base := in.Start()
			if i := strings.Index(in.file.Text[in.Start():in.End()], src); i >= 0 {
				base += i
			}
			return src, base, false, true
		}
		return "", 0, false, false
	}
	start, end := in.commandStart(), in.End()
	text := in.file.Text
	cmdLine := in.file.lineOf(start)
	first := text[start:max(start, in.file.LineEnd(cmdLine))]
	if n := in.Node(); n != nil && len(n.Heredocs) == 1 && len(run.Files) == 1 && len(strings.Fields(first)) == 1 && strings.HasPrefix(first, "<<") {
		// `RUN <<EOF`: the heredoc body is the script.
		bodyStart := in.file.LineStart(cmdLine + 1)
		bodyEnd := in.file.LineStart(in.EndLine())
		if bodyEnd < bodyStart {
			bodyEnd = bodyStart
		}
		body := text[bodyStart:bodyEnd]
		if strings.HasPrefix(body, "#!") && !IsPOSIXShell(strings.Fields(strings.TrimPrefix(strings.SplitN(body, "\n", 2)[0], "#!"))) {
			return "", 0, false, false // a script for another interpreter
		}
		return sanitize(body, in.file.Escape), bodyStart, true, true
	}
	return sanitize(text[start:end], in.file.Escape), start, false, true
}

// commandStart returns the offset just after the keyword and the flags.
func (in *Instruction) commandStart() int {
	text, p, end := in.file.Text, in.Start(), in.End()
	skipSpace := func() {
		for p < end {
			switch {
			case text[p] == ' ' || text[p] == '\t' || text[p] == '\r' || text[p] == '\n':
				p++
			case text[p] == byte(in.file.Escape) && p+1 < end && (text[p+1] == '\n' || text[p+1] == '\r'):
				p++
			default:
				return
			}
		}
	}
	skipWord := func() {
		var quote byte
		for p < end {
			c := text[p]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == ' ' || c == '\t' || c == '\n' || c == '\r':
				return
			}
			p++
		}
	}
	skipWord() // the keyword
	flags := 0
	if n := in.Node(); n != nil {
		flags = len(n.Flags)
	}
	for i := 0; i < flags; i++ {
		skipSpace()
		skipWord()
	}
	skipSpace()
	return p
}

// sanitize turns Dockerfile text into the shell text BuildKit would run,
// keeping every byte at its offset: carriage returns become spaces; blank
// and comment lines inside a continuation, which BuildKit drops, become
// spaces joined to the next line; and a line continuation (BuildKit allows
// blanks after the escape, and the escape may be a backtick) becomes a
// backslash right before the newline.
func sanitize(src string, escape rune) string {
	if !strings.ContainsAny(src, "\r#`\\") {
		return src
	}
	b := []byte(src)
	continued := false
	for ls := 0; ls < len(b); {
		le := ls
		for le < len(b) && b[le] != '\n' {
			if b[le] == '\r' {
				b[le] = ' '
			}
			le++
		}
		t := strings.TrimRight(string(b[ls:le]), " \t")
		if continued && (strings.TrimSpace(t) == "" || strings.HasPrefix(strings.TrimLeft(t, " \t"), "#")) {
			for j := ls; j < le; j++ {
				b[j] = ' '
			}
			if le < len(b) {
				b[le] = ' '
			}
			ls = le + 1
			continue
		}
		continued = strings.HasSuffix(t, string(escape)) && le < len(b)
		if continued {
			b[ls+len(t)-1] = ' '
			b[le-1] = '\\'
		}
		ls = le + 1
	}
	return string(b)
}

// shellParsers reuses shell parsers, whose buffers are costly to allocate
// for every RUN of a large file.
var shellParsers = sync.Pool{New: func() any { return syntax.NewParser(syntax.Variant(syntax.LangBash)) }}

func parseScript(src string, base int, heredoc bool) *ShellScript {
	s := &ShellScript{Src: src, Base: base, Heredoc: heredoc}
	p := shellParsers.Get().(*syntax.Parser)
	f, err := p.Parse(strings.NewReader(src), "")
	shellParsers.Put(p)
	if err != nil {
		s.Err = err
		return s
	}
	s.File = f
	return s
}
