// This file defines the model of a code action (Action, Edit, NewFile,
// Kind), the Input actions are computed from, and the registry of fixers
// keyed by rule name.
package codeactions

import (
	"slices"
	"sort"
	"sync"

	"github.com/dockwise/dockwise/analysis"
)

// Kind is the kind of an action, as LSP names it.
type Kind string

const (
	QuickFix        Kind = "quickfix"
	RefactorRewrite Kind = "refactor.rewrite"
	SourceFixAll    Kind = "source.fixAll.dockwise"
)

// Edit replaces Text[Start:End] of the Dockerfile with NewText. Start ==
// End inserts.
type Edit struct {
	Start, End int
	NewText    string
}

// NewFile is a file an action creates: Path is slash-separated and
// relative to the Dockerfile's directory. An action never overwrites an
// existing file; with Append set, Content is added at the end of the
// existing file at Path instead (starting on a line of its own).
type NewFile struct {
	Path    string
	Content string
	Append  bool
}

// Action is one change offered for a Dockerfile.
type Action struct {
	// Title says exactly what the action changes.
	Title string
	Kind  Kind
	// Diagnostics are the findings the action makes go away.
	Diagnostics []analysis.Diagnostic
	// Edits change the Dockerfile; they do not overlap.
	Edits []Edit
	// Files are files the action creates beside the Dockerfile.
	Files []NewFile
	// Safe actions keep what the image does and need no decision from
	// the user: they are applied by "fix all" and by `dockwise fix`
	// without --rule. Suppressions are never safe.
	Safe bool
	// Preferred marks the fix that properly addresses its diagnostic
	// (LSP's isPreferred); `dockwise fix --rule` applies it.
	Preferred bool
	// Suppress marks an action that hides a finding instead of fixing it.
	Suppress bool
	// Unverified marks a heavy action returned by a lazy entry point
	// (ForDiagnosticsLazy, RefactorsLazy) before it was verified: only
	// its title may be shown; Resolve returns it verified.
	Unverified bool
}

// Input is what actions are computed from: a file and how it is checked.
type Input struct {
	File    *analysis.File
	Rules   []*analysis.Rule
	Options analysis.Options

	once  sync.Once
	diags []analysis.Diagnostic

	// safeOnly is set on the inputs of FixAll when only safe fixes are
	// wanted: a fixer whose fixes are never safe may return none without
	// computing them.
	safeOnly bool
}

// NewInput returns the input for f checked with rules and opts. diags are
// f's diagnostics under them when the caller has them already, else nil.
func NewInput(f *analysis.File, rules []*analysis.Rule, opts analysis.Options, diags []analysis.Diagnostic) *Input {
	in := &Input{File: f, Rules: rules, Options: opts}
	if diags != nil {
		in.once.Do(func() { in.diags = diags })
	}
	return in
}

// Diagnostics returns the file's diagnostics, computed on first use.
func (in *Input) Diagnostics() []analysis.Diagnostic {
	in.once.Do(func() { in.diags = analysis.Check(in.File, in.Rules, in.Options) })
	return in.diags
}

// rule returns the rule named name among the input's rules, or nil.
func (in *Input) rule(name string) *analysis.Rule {
	for _, r := range in.Rules {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// Find returns the diagnostic of the file with the given rule and range.
func (in *Input) Find(rule string, start, end int) (analysis.Diagnostic, bool) {
	ds := in.Diagnostics()
	i := sort.Search(len(ds), func(i int) bool { return ds[i].Start >= start })
	for ; i < len(ds) && ds[i].Start == start; i++ {
		if ds[i].Rule == rule && ds[i].End == end {
			return ds[i], true
		}
	}
	return analysis.Diagnostic{}, false
}

// A Fixer returns the candidate fixes of one diagnostic of its rule. The
// candidates are verified before anyone sees them; a fixer returns nothing
// rather than a guess when it cannot keep what the Dockerfile means.
// A fixer whose fixes are never safe returns nothing when the input is
// for safe fixes only (Input.safeOnly), so that fix all stays cheap.
type Fixer func(in *Input, d analysis.Diagnostic) []*Action

var fixers = map[string]Fixer{}

// register adds the fixer of a rule; fixers register in init.
func register(rule string, fx Fixer) {
	if _, dup := fixers[rule]; dup {
		panic("codeactions: two fixers for " + rule)
	}
	fixers[rule] = fx
}

// HasFix reports whether rule has a fixer.
func HasFix(rule string) bool { return fixers[rule] != nil }

// FixableRules returns the names of the rules that have a fixer, sorted.
func FixableRules() []string {
	var out []string
	for name := range fixers {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}
