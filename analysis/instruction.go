// This file defines Instruction, one instruction of a File, and the data
// computed once per instruction and cached in its chunk, so that an edit
// elsewhere in the file does not recompute it.
package analysis

import (
	"reflect"
	"strings"
	"sync"
	"unsafe"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Instruction is one instruction of a File: its BuildKit parse node and the
// typed command BuildKit's instructions package makes of it. Instructions
// that failed to parse have ParseError set and no node.
type Instruction struct {
	Index int // position among the file's instructions

	file *File
	ref  *chunkRef
}

// File returns the file the instruction belongs to.
func (in *Instruction) File() *File { return in.file }

// Node returns BuildKit's parse node. Its StartLine and EndLine count from
// the instruction's chunk, not the file: use StartLine and EndLine instead.
// It is nil when the instruction failed to parse. Its argument list (Next)
// is dropped once the instruction has been analysed: read the arguments
// from Command.
func (in *Instruction) Node() *parser.Node { return in.ref.c.node }

// Keyword returns the instruction keyword as written (e.g. "RUN", "from").
func (in *Instruction) Keyword() string {
	if n := in.ref.c.node; n != nil {
		return n.Value
	}
	return ""
}

// Is reports whether the instruction's keyword is kw (case-insensitively).
func (in *Instruction) Is(kw string) bool {
	k := in.ref.c.keyword
	return len(k) == len(kw) && (k == kw || strings.EqualFold(k, kw))
}

// abs converts a chunk-relative 1-based line to a file 0-based line.
func (in *Instruction) abs(rel int) int { return in.ref.line + rel - 1 }

// StartLine and EndLine return the 0-based lines of the instruction's first
// and last line (heredoc bodies included; leading comments excluded).
func (in *Instruction) StartLine() int {
	if c := in.ref.c; c.node != nil {
		return in.abs(c.node.StartLine)
	}
	return in.abs(in.ref.c.odd.errStart) // a parse error
}

func (in *Instruction) EndLine() int {
	if c := in.ref.c; c.node != nil {
		return in.abs(c.node.EndLine)
	}
	return in.abs(in.ref.c.odd.errEnd)
}

// Start returns the byte offset of the instruction's first non-blank byte.
func (in *Instruction) Start() int {
	s := in.file.LineStart(in.StartLine())
	for s < len(in.file.Text) && (in.file.Text[s] == ' ' || in.file.Text[s] == '\t') {
		s++
	}
	return s
}

// End returns the byte offset of the end of the instruction's last line
// (before the line terminator).
func (in *Instruction) End() int { return in.file.LineEnd(in.EndLine()) }

// Source returns the instruction's text, from Start to End.
func (in *Instruction) Source() string { return in.file.Text[in.Start():in.End()] }

// ChunkStart returns the byte offset of the first line of the instruction's
// chunk: its leading comments and blank lines included.
func (in *Instruction) ChunkStart() int { return in.ref.off }

// ChunkStartLine returns the 0-based line of the chunk's first line.
func (in *Instruction) ChunkStartLine() int { return in.ref.line }

// Comments returns the comment lines BuildKit attaches to the instruction
// (the comments directly above it, without '#').
func (in *Instruction) Comments() []string {
	if n := in.ref.c.node; n != nil {
		return n.PrevComment
	}
	return nil
}

// ParseError returns BuildKit's error for an instruction that could not be
// parsed: a syntax error from the parser, or an error from the
// instructions package (unknown instruction, bad flag, missing argument).
func (in *Instruction) ParseError() error {
	if err := in.ref.c.parseErr(); err != nil {
		return err
	}
	return in.sem().cmdErr
}

// Command returns the typed command (*instructions.Stage for FROM,
// *instructions.RunCommand, ...), or nil when it could not be parsed. A
// RUN's command does not carry BuildKit's parsed flags (see trimRun): read
// them with Mounts, not instructions.GetMounts.
func (in *Instruction) Command() any { return in.sem().cmd }

// LintWarning is a warning BuildKit's instructions package reported while
// parsing an instruction (StageNameCasing, FromAsCasing, MaintainerDeprecated,
// InvalidDefinitionDescription), with the instruction's comment-level check
// configuration already applied.
type LintWarning struct {
	Rule, Message, URL string
}

// LintWarnings returns the parse-time lint warnings of the instruction.
func (in *Instruction) LintWarnings() []LintWarning {
	if l := in.sem().lint; l != nil {
		return *l
	}
	return nil
}

// Warnings returns the BuildKit parser's warnings for the instruction (empty
// continuation lines), with lines made 0-based file lines.
func (in *Instruction) Warnings() []parser.Warning {
	ws := in.ref.c.warnings()
	if len(ws) == 0 {
		return nil
	}
	out := make([]parser.Warning, len(ws))
	for i, w := range ws {
		out[i] = w
		if w.Location != nil {
			l := *w.Location
			l.Start.Line = in.abs(l.Start.Line)
			l.End.Line = in.abs(l.End.Line)
			out[i].Location = &l
		}
	}
	return out
}

// instSemantics is the per-instruction data derived from the chunk alone.
type instSemantics struct {
	cmd    any
	cmdErr error
	lint   *[]LintWarning // FROM, ARG and MAINTAINER only (see computeSemantics)

	// local caches the diagnostics of instruction-local rules, with
	// offsets relative to the instruction's chunk; see check.go.
	localOnce sync.Once
	localSet  ruleSet
	local     []Diagnostic

	run *runSem // for a RUN only

	// plan is what the semantic model needs from the instruction's word
	// layout; see layout.go and plan.go.
	planOnce sync.Once
	plan     instPlan
	memo     *stageMemo // for a FROM only: its stage's cached dispatch; see semantic.go
}

// runSem is the part of instSemantics only a RUN has.
type runSem struct {
	shell  shellCache // the script for the default shell; see shell.go
	cmds   cmdCache   // the commands; see commands.go
	mounts mountCache // the --mount flags; see run_mounts.go
}

func (in *Instruction) sem() *instSemantics {
	c := in.ref.c
	c.semOnce.Do(func() { computeSemantics(c) })
	return &c.sem
}

// computeSemantics fills c.sem; call it through c.semOnce.
func computeSemantics(c *chunk) {
	s := &c.sem
	if c.node != nil {
		lint := quietLinter
		switch c.keyword {
		case "from", "arg", "maintainer":
			// The only instructions BuildKit's instruction parser lints.
			s.lint = new([]LintWarning)
			lint = linter.New(&linter.Config{
				ExperimentalAll: true,
				Warn: func(rule, _, url, msg string, _ []parser.Range) {
					*s.lint = append(*s.lint, LintWarning{Rule: rule, Message: msg, URL: url})
				},
			})
		}
		if c.keyword == "run" && len(c.node.Flags) == 0 {
			s.cmd, s.cmdErr = parseRunWithoutFlags(c.node)
		} else {
			s.cmd, s.cmdErr = parseInstruction(c.node, lint)
		}
		if s.cmdErr != nil {
			s.cmd = nil
			s.cmdErr = cleanError(s.cmdErr)
		}
		switch cmd := s.cmd.(type) {
		case *instructions.Stage:
			s.memo = &stageMemo{}
		case *instructions.RunCommand:
			s.cmd = trimRun(cmd)
		}
	}
	if c.keyword == "run" {
		s.run = &runSem{}
	}
}

// runExternal is the field of instructions.RunCommand that holds the
// parsed --mount, --network, --security and --device flags, for BuildKit's
// dispatcher; dockwise reads those flags itself (see run_mounts.go).
var runExternal, runExternalOK = reflect.TypeFor[instructions.RunCommand]().FieldByName("withExternalData")

// trimRun drops the external data of a RUN's typed command, which the
// instruction parser just made and nothing else holds: that field keeps
// BuildKit's whole flag parser alive (about 1 KB per RUN), and nothing in
// dockwise reads it: instructions.GetMounts, GetNetwork, GetSecurity and
// GetDevices, its only readers, must not be called on Command()'s result.
// If a BuildKit upgrade renames the field, the command is kept whole
// (TestTrimRun fails first).
func trimRun(r *instructions.RunCommand) *instructions.RunCommand {
	if !runExternalOK {
		return r
	}
	f := reflect.ValueOf(r).Elem().FieldByIndex(runExternal.Index)
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().SetZero()
	return r
}

// The fields parseRunWithoutFlags copies: the unexported part of a command
// that holds its name, source, location and comments, which RUN and CMD
// share, and its name.
var (
	runNameCode, runNameCodeOK   = reflect.TypeFor[instructions.RunCommand]().FieldByName("withNameAndCode")
	cmdNameCode, cmdNameCodeOK   = reflect.TypeFor[instructions.CmdCommand]().FieldByName("withNameAndCode")
	nameCodeName, nameCodeNameOK = func() (reflect.StructField, bool) {
		if !runNameCodeOK {
			return reflect.StructField{}, false
		}
		return runNameCode.Type.FieldByName("name")
	}()
	runWithoutFlagsOK = runExternalOK && runNameCodeOK && cmdNameCodeOK && nameCodeNameOK &&
		runNameCode.Type == cmdNameCode.Type && nameCodeName.Type.Kind() == reflect.String
)

// parseRunWithoutFlags makes the typed command of a RUN without flags, as
// parseInstruction and trimRun would, for about half the work: BuildKit's
// RUN parser first registers the --mount, --network, --security and
// --device flags with their state (a flag parser and five maps per RUN,
// which trimRun then drops), and for a RUN without flags the rest is what
// its CMD parser does. So the node is parsed as a CMD, and the CMD's
// command line, name, source, location and comments go into a RunCommand,
// with the RUN's name. TestRunWithoutFlags compares the result with
// BuildKit's on every flag-less RUN of the corpus; if a BuildKit upgrade
// renames the fields, parseInstruction is used.
func parseRunWithoutFlags(n *parser.Node) (any, error) {
	if !runWithoutFlagsOK {
		return parseInstruction(n, quietLinter)
	}
	asCmd := *n
	asCmd.Value = "cmd"
	v, err := parseInstruction(&asCmd, quietLinter)
	c, ok := v.(*instructions.CmdCommand)
	if err != nil || !ok {
		return parseInstruction(n, quietLinter)
	}
	r := &instructions.RunCommand{ShellDependantCmdLine: c.ShellDependantCmdLine, FlagsUsed: []string{}}
	dst := reflect.ValueOf(r).Elem().FieldByIndex(runNameCode.Index)
	src := reflect.ValueOf(c).Elem().FieldByIndex(cmdNameCode.Index)
	settable(dst).Set(settable(src))
	settable(dst.FieldByIndex(nameCodeName.Index)).SetString(n.Value)
	return r, nil
}

// settable returns v (an addressable field) made settable.
func settable(v reflect.Value) reflect.Value {
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

// quietLinter is the linter given to BuildKit's instruction parser for the
// instructions it does not lint: it reports nothing and is never modified
// (a `# check=` comment makes the parser work on a copy).
var quietLinter = linter.New(&linter.Config{})

// parseInstruction runs BuildKit's instruction parser, turning a panic on
// odd input into an error.
func parseInstruction(n *parser.Node, lint *linter.Linter) (cmd any, err error) {
	defer func() {
		if r := recover(); r != nil {
			cmd, err = nil, errPanic{r}
		}
	}()
	return instructions.ParseInstructionWithLinter(n, lint)
}

type errPanic struct{ v any }

func (e errPanic) Error() string { return "internal error parsing instruction" }
