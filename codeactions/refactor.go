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
package codeactions

import (
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
	return refactors(in, start, end, anywhere, false)
}

// RefactorsLazy is Refactors, but returns the (heavy) splits unverified,
// marked Unverified, for the caller to Resolve when they are chosen.
func RefactorsLazy(in *Input, start, end int, anywhere bool) (actions []*Action, errs []error) {
	return refactors(in, start, end, anywhere, true)
}

func refactors(in *Input, start, end int, anywhere, lazy bool) (actions []*Action, errs []error) {
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
	if target == nil {
		return nil, nil
	}
	cands, err := fixesOf(probe, *target)
	if err != nil {
		errs = append(errs, err)
	}
	verified, verrs := verifyCandidates(probe, cands, lazy)
	for _, a := range verified {
		a.Kind = RefactorRewrite
		a.Diagnostics = nil
	}
	return verified, append(errs, verrs...)
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
