// This file defines Refactors, the refactor.rewrite actions offered at a
// range whether or not a finding is there: the split of a single-stage
// toolchain build into builder and runtime stages (SingleStageBuild's
// fixes), offered on the FROM line even when the rule is turned off.
//
// A refactor is verified like a fix, against the finding the rule would
// report if it ran: the input is checked with SingleStageBuild enabled
// (the user's configuration otherwise), and the split must make that
// finding go away with no parse error and no new error. A file whose
// comments suppress the rule (`# check=skip=`, `# dockwise ignore=`) gets
// no refactor: the finding to verify against is not there.
//
// A single-stage toolchain file on which the rule does not fire (a plain
// `pip install` with no build step) is offered the split too, verified
// against what such a split must achieve: no parse error, no new error,
// and on the result the final stage's base is not a toolchain image and
// neither SingleStageBuild nor RuntimeBaseNotMinimal fires.
package codeactions

import (
	"fmt"
	"maps"
	"slices"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

// Refactors returns the verified refactor.rewrite actions for the range
// [start, end) of in's file. With anywhere set (the client asked for
// refactors by kind) the range need not touch the FROM line. errs holds
// candidates that failed verification, bugs the caller logs.
func Refactors(in *Input, start, end int, anywhere bool) (actions []*Action, errs []error) {
	return refactors(in, start, end, anywhere, false, "")
}

// RefactorsLazy is Refactors, but returns the (heavy) splits unverified,
// marked Unverified, for the caller to Resolve when they are chosen.
func RefactorsLazy(in *Input, start, end int, anywhere bool) (actions []*Action, errs []error) {
	return refactors(in, start, end, anywhere, true, "")
}

// refactors makes the refactors; with title set, only the one of that
// title (what Resolve verifies).
func refactors(in *Input, start, end int, anywhere, lazy bool, title string) (actions []*Action, errs []error) {
	f := in.File
	m := f.Semantics()
	if len(m.Stages) != 1 {
		return nil, nil
	}
	s := m.Stages[0]
	if s.Parent != nil || !s.Image().Toolchain || s.From == nil {
		return nil, nil
	}
	if !anywhere {
		fromStart, fromEnd := f.LineStart(s.From.StartLine()), f.LineEnd(s.From.EndLine())
		if end < fromStart || start > fromEnd {
			return nil, nil
		}
	}
	probe := refactorInput(in)
	var target *analysis.Diagnostic
	for _, d := range probe.Diagnostics() {
		if d.Rule == rules.SingleStageBuild.Name && d.Instruction == s.From {
			target = &d
			break
		}
	}
	synthetic := target == nil
	if synthetic {
		if suppressed(probe, s.From) {
			return nil, nil
		}
		target = &analysis.Diagnostic{Rule: rules.SingleStageBuild.Name, Severity: rules.SingleStageBuild.Severity,
			Start: s.From.Start(), End: s.From.End(), Instruction: s.From}
	}
	cands, err := fixesOf(probe, *target)
	if err != nil {
		errs = append(errs, err)
	}
	if title != "" {
		cands = slices.DeleteFunc(cands, func(a *Action) bool { return a.Title != title })
	}
	verified, verrs := verifyCandidates(probe, cands, lazy)
	errs = append(errs, verrs...)
	var out []*Action
	for _, a := range verified {
		if synthetic && !a.Unverified {
			if err := verifyRuntime(probe, a); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		a.Kind = RefactorRewrite
		a.Diagnostics = nil
		out = append(out, a)
	}
	return out, errs
}

// suppressed reports whether the file's comments or directives turn
// SingleStageBuild off at from: the file is checked with the rule
// replaced by one that always reports on from, and nothing comes out.
func suppressed(in *Input, from *analysis.Instruction) bool {
	probe := *rules.SingleStageBuild
	probe.Run, probe.Check = nil, func(p *analysis.Pass, inst *analysis.Instruction) {
		if inst == from {
			p.Reportf(inst, inst.Start(), inst.End(), "probe")
		}
	}
	for _, d := range analysis.Check(in.File, []*analysis.Rule{&probe}, in.Options) {
		if d.Rule == probe.Name && d.Instruction == from {
			return false
		}
	}
	return true
}

// runtimeRules are the rules that must not fire on the result of a split.
var runtimeRules = []*analysis.Rule{rules.SingleStageBuild, rules.RuntimeBaseNotMinimal}

// verifyRuntime checks the result of a split offered without a finding:
// its final stage's base is not a toolchain image, and neither
// SingleStageBuild nor RuntimeBaseNotMinimal fires on it.
func verifyRuntime(in *Input, a *Action) error {
	fail := func(reason string) error {
		return &VerifyError{Title: a.Title, Rules: []string{rules.SingleStageBuild.Name}, Reason: reason}
	}
	out, err := Apply(in.File.Text, a.Edits)
	if err != nil {
		return fail("bad edits: " + err.Error())
	}
	nf := analysis.Parse(out)
	st := nf.Semantics().Stages
	if len(st) == 0 || st[len(st)-1].Image().Toolchain {
		return fail("the final stage still runs on a toolchain image")
	}
	opts := in.Options
	opts.Config = nil
	if ds := analysis.Check(nf, runtimeRules, opts); len(ds) > 0 {
		d := ds[0]
		return fail(fmt.Sprintf("line %d has %s: %s", nf.LineOf(d.Start)+1, d.Rule, d.Message))
	}
	return nil
}

// refactorInput returns in with SingleStageBuild among its rules and
// enabled in its configuration.
func refactorInput(in *Input) *Input {
	name := rules.SingleStageBuild.Name
	rs := in.Rules
	if in.rule(name) == nil {
		rs = append(slices.Clip(rs), rules.SingleStageBuild)
	}
	opts := in.Options
	if c := opts.Config; c != nil && c.Disabled[name] {
		cfg := *c
		cfg.Disabled = maps.Clone(c.Disabled)
		delete(cfg.Disabled, name)
		opts.Config = &cfg
	}
	if len(rs) == len(in.Rules) && opts.Config == in.Options.Config {
		return in
	}
	return NewInput(in.File, rs, opts, nil)
}
