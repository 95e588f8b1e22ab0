// This file defines FixAll: the fixes of every diagnostic of a file merged
// into one action, for LSP's source.fixAll and `dockwise fix`.
//
// Fixes are applied in rounds. A round takes one fix per diagnostic,
// keeps those that neither overlap nor touch an instruction another rule's
// fix touches (FromAsCasing and ConsistentInstructionCasing both rewrite
// a FROM line), and verifies them together; when that fails it falls back
// to the fixes that pass alone. The next round starts from the result, so
// fixes that were held back, and findings that a fix reveals, are fixed
// from a file that is up to date.
package codeactions

import (
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

// maxRounds bounds the rounds of FixAll.
const maxRounds = 8

// FixOptions select the fixes FixAll applies.
type FixOptions struct {
	// Rules, when not empty, limits the fixes to these rules' findings.
	Rules []string
	// Unsafe applies each finding's preferred fix whether or not it is
	// safe (`dockwise fix --rule`); otherwise only safe fixes are applied.
	Unsafe bool
}

// FixResult is the outcome of FixAll.
type FixResult struct {
	// Action applies the fixes; nil when nothing was fixed.
	Action *Action
	// Fixed counts the findings fixed, by rule.
	Fixed map[string]int
	// Remaining are the findings of the result that were meant to be
	// fixed: with FixOptions.Rules, every finding of those rules;
	// without, those that still have a fix FixAll would apply.
	Remaining []analysis.Diagnostic
	// Errors are candidates that failed verification (bugs the caller
	// logs).
	Errors []error
}

// FixAll applies the selected fixes of in's file and returns them as one
// action.
func FixAll(in *Input, opts FixOptions) (res FixResult) {
	defer func() {
		if r := recover(); r != nil {
			res = FixResult{Errors: []error{fmt.Errorf("fix all panicked: %v\n%s", r, debug.Stack())}}
		}
	}()
	action, remaining, fixed, errs := fixAll(in, opts)
	return FixResult{Action: action, Fixed: fixed, Remaining: remaining, Errors: errs}
}

func fixAll(in *Input, opts FixOptions) (action *Action, remaining []analysis.Diagnostic, fixed map[string]int, errs []error) {
	want := func(rule string) bool { return len(opts.Rules) == 0 || slices.Contains(opts.Rules, rule) }
	pick := func(cur *Input, d analysis.Diagnostic) *Action {
		fixes, err := fixesOf(cur, d)
		if err != nil {
			errs = append(errs, err)
		}
		var best *Action
		for _, a := range fixes {
			switch {
			case a.Suppress || !opts.Unsafe && !a.Safe, len(a.Files) > 0:
				// Files are created by the caller (see FileFixes): the
				// rounds check the Dockerfile against one context.
			case best == nil || a.Preferred && !best.Preferred:
				best = a
			}
		}
		return best
	}
	failed := map[string]bool{} // candidates that failed verification, by rule and title
	// The rounds' inputs; the first has the caller's file and findings.
	start := NewInput(in.File, in.Rules, in.Options, in.Diagnostics())
	start.safeOnly = !opts.Unsafe
	cur := start
	var targets []analysis.Diagnostic // those fixed from the original file
	fixed = map[string]int{}          // fixes applied, by rule
	for round := 0; round < maxRounds; round++ {
		var cands []*Action
		for _, d := range cur.Diagnostics() {
			if !want(d.Rule) || !HasFix(d.Rule) {
				continue
			}
			if a := pick(cur, d); a != nil && !failed[d.Rule+"\x00"+a.Title] {
				cands = append(cands, a)
			}
		}
		chosen := compatible(cur.File, cands)
		if len(chosen) == 0 {
			break
		}
		res, err := verify(cur, merge(chosen), true)
		if err != nil {
			// Fall back to the fixes that pass alone.
			results := verifyAll(cur, chosen)
			var ok []*Action
			for i, a := range chosen {
				if results[i] != nil {
					errs = append(errs, results[i])
					failed[a.Diagnostics[0].Rule+"\x00"+a.Title] = true
					continue
				}
				ok = append(ok, a)
			}
			if len(ok) == 0 {
				continue // the failures are excluded next round
			}
			chosen = ok
			if res, err = verify(cur, merge(chosen), true); err != nil {
				chosen = ok[:1]
				if res, err = verify(cur, chosen[0], true); err != nil {
					errs = append(errs, err)
					break
				}
			}
		}
		if cur == start {
			for _, a := range chosen {
				targets = append(targets, a.Diagnostics...)
			}
		}
		for _, a := range chosen {
			fixed[a.Diagnostics[0].Rule] += len(a.Diagnostics)
		}
		cur = NewInput(res.file, in.Rules, in.Options, res.diags)
		cur.safeOnly = !opts.Unsafe
	}

	left := func(cur *Input) []analysis.Diagnostic {
		var out []analysis.Diagnostic
		for _, d := range cur.Diagnostics() {
			if want(d.Rule) && HasFix(d.Rule) && (len(opts.Rules) > 0 || pick(cur, d) != nil) {
				out = append(out, d)
			}
		}
		return out
	}
	remaining = left(cur)
	if cur == start {
		return nil, remaining, fixed, errs
	}
	action = &Action{
		Title:       fixAllTitle(fixed, opts.Unsafe),
		Kind:        SourceFixAll,
		Diagnostics: targets,
		Edits:       Diff(in.File.Text, cur.File.Text),
		Safe:        !opts.Unsafe,
	}
	// Each round was verified, its targets included; check the whole once
	// more against the original for parse errors and error findings.
	if _, err := verify(in, &Action{Title: action.Title, Edits: action.Edits}, false); err != nil {
		errs = append(errs, err)
		return nil, left(start), map[string]int{}, errs
	}
	return action, remaining, fixed, errs
}

// compatible returns the candidates, in order, that can be applied
// together: their edits do not overlap, and two fixes of different rules
// do not touch one instruction.
func compatible(f *analysis.File, cands []*Action) []*Action {
	var chosen []*Action
	var edits []Edit
	owner := map[int]string{} // instruction index -> rule of the fix that touches it
	for _, a := range cands {
		rule := a.Diagnostics[0].Rule
		if _, err := sortedEdits(append(slices.Clone(edits), a.Edits...), len(f.Text)); err != nil {
			continue
		}
		touched := touchedInstructions(f, a.Edits)
		clash := false
		for _, i := range touched {
			if r, ok := owner[i]; ok && r != rule {
				clash = true
			}
		}
		if clash {
			continue
		}
		for _, i := range touched {
			owner[i] = rule
		}
		edits = append(edits, a.Edits...)
		chosen = append(chosen, a)
	}
	return chosen
}

// touchedInstructions returns the indexes of the instructions whose chunks
// the edits change.
func touchedInstructions(f *analysis.File, edits []Edit) []int {
	var out []int
	for _, e := range edits {
		for _, off := range []int{e.Start, max(e.Start, e.End-1)} {
			if in := f.InstructionAt(off); in != nil && !slices.Contains(out, in.Index) {
				out = append(out, in.Index)
			}
		}
	}
	return out
}

// merge makes one action of compatible actions.
func merge(as []*Action) *Action {
	if len(as) == 1 {
		return as[0]
	}
	m := &Action{Title: fmt.Sprintf("%d fixes", len(as)), Kind: SourceFixAll}
	for _, a := range as {
		m.Edits = append(m.Edits, a.Edits...)
		m.Diagnostics = append(m.Diagnostics, a.Diagnostics...)
	}
	return m
}

// fixAllTitle says how many findings of which rules the fixes fix.
func fixAllTitle(fixed map[string]int, unsafe bool) string {
	var names []string
	n := 0
	for r, k := range fixed {
		names = append(names, r)
		n += k
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, r := range names {
		parts[i] = fmt.Sprintf("%s ×%d", r, fixed[r])
		if fixed[r] == 1 {
			parts[i] = r
		}
	}
	kind := "safe fixes"
	if unsafe {
		kind = "fixes"
	}
	return fmt.Sprintf("Apply all %s: %d %s (%s)", kind, n, plural(n, "finding", "findings"), strings.Join(parts, ", "))
}

// FileFixes returns the verified fixes that create files, which FixAll
// leaves out: for each finding of the selected rules (all rules when none
// are selected) its preferred fix that creates files, one per file path.
// The caller creates the files, and never over an existing one.
func FileFixes(in *Input, opts FixOptions) (actions []*Action, errs []error) {
	want := func(rule string) bool { return len(opts.Rules) == 0 || slices.Contains(opts.Rules, rule) }
	var diags []analysis.Diagnostic
	for _, d := range in.Diagnostics() {
		if want(d.Rule) && HasFix(d.Rule) {
			diags = append(diags, d)
		}
	}
	var cands []*Action
	paths := map[string]bool{}
	for _, d := range diags {
		fixes, err := fixesOf(in, d)
		if err != nil {
			errs = append(errs, err)
		}
		for _, a := range fixes {
			if a.Suppress || len(a.Files) == 0 || !a.Preferred || !opts.Unsafe && !a.Safe {
				continue
			}
			dup := false
			for _, f := range a.Files {
				dup = dup || paths[f.Path]
			}
			if dup {
				continue
			}
			for _, f := range a.Files {
				paths[f.Path] = true
			}
			cands = append(cands, a)
			break
		}
	}
	results := verifyAll(in, cands)
	for i, a := range cands {
		if results[i] != nil {
			errs = append(errs, results[i])
			continue
		}
		actions = append(actions, a)
	}
	return actions, errs
}
