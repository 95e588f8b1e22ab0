// This file holds the per-stage memo the rules about RUN commands use:
// findings computed once per stage dispatch (with positions relative to
// their instruction's chunk) and made absolute when reported, so that a
// keystroke re-examines only the stage it edits.
package rules

import (
	"github.com/dockwise/dockwise/analysis"
)

// finding is a diagnostic of a stage, positioned relative to the chunk of
// the stage's k-th instruction (after FROM). aux carries what the rule
// resolves when it reports (for instance with the build context).
type finding struct {
	k          int
	start, end int
	msg        string
	aux        string
}

// findingSink collects a stage's findings during a Cached computation.
type findingSink struct {
	s   *analysis.Stage
	out []finding
}

// add records a finding on [start, end) (absolute offsets) of in.
func (fs *findingSink) add(in *analysis.Instruction, start, end int, msg, aux string) {
	k := in.Index - fs.s.From.Index - 1
	off := in.ChunkStart()
	fs.out = append(fs.out, finding{k: k, start: start - off, end: end - off, msg: msg, aux: aux})
}

// findingsKey is the stage cache key of a rule's findings: a pointer, so
// that making it an interface value allocates nothing (it is made for
// every stage at every analysis).
type findingsKey struct{ rule *analysis.Rule }

// stageFindings returns the findings of compute for the stage, computed
// once per stage dispatch. compute must read nothing but the stage's
// instructions (its FROM, and so its base image, included), its scope and
// its parent stages (not the build context: resolve that when reporting).
func stageFindings(rule *analysis.Rule, s *analysis.Stage, compute func(*findingSink)) []finding {
	return s.Cached(findingsKey{rule}, func(s *analysis.Stage) any {
		fs := &findingSink{s: s}
		compute(fs)
		return fs.out
	}).([]finding)
}

// nonWindowsFindings is stageFindings for a stage that does not run
// Windows, and nothing for one that does (the cache-mount and lockfile rules
// look at Linux package managers and caches).
func nonWindowsFindings(rule *analysis.Rule, s *analysis.Stage, compute func(*findingSink)) []finding {
	if s.OS() == "windows" {
		return nil
	}
	return stageFindings(rule, s, compute)
}

// findingsAhead returns a Rule.Stage that computes the findings a Run
// reads with nonWindowsFindings(p.Rule, s, compute), so that the two
// cannot differ in what they compute.
func findingsAhead(compute func(*findingSink)) func(*analysis.Pass, *analysis.Stage) {
	return func(p *analysis.Pass, s *analysis.Stage) { nonWindowsFindings(p.Rule, s, compute) }
}

// report reports a finding of stage s; msg overrides the finding's
// message when not empty.
func (f finding) report(p *analysis.Pass, s *analysis.Stage, msg string) {
	if f.k < 0 || f.k >= len(s.Instructions) {
		return
	}
	in := s.Instructions[f.k]
	off := in.ChunkStart()
	if msg == "" {
		msg = f.msg
	}
	p.Report(analysis.Diagnostic{Start: off + f.start, End: off + f.end, Message: msg, Instruction: in})
}

// stageIndex returns the index of an instruction among the stage's
// instructions after FROM.
func stageIndex(s *analysis.Stage, in *analysis.Instruction) int {
	return in.Index - s.From.Index - 1
}
