// This file defines NoEmptyContinuation, BuildKit's check for empty lines
// inside a continued instruction.
package rules

import (
	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// NoEmptyContinuation reports an instruction continued (with `\`) onto an
// empty line. BuildKit applies only the file's `# check=` directive to it,
// not comments above the instruction, so the diagnostic has no Instruction.
var NoEmptyContinuation = &analysis.Rule{
	Name:        linter.RuleNoEmptyContinuation.Name,
	Category:    analysis.Correctness,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleNoEmptyContinuation.Description,
	URL:         linter.RuleNoEmptyContinuation.URL,
	BuildKit:    true,
	Doc: doc(`
A line ending in the escape character continues the instruction on the next
line. Today the parser skips empty lines inside such a continuation, so an
instruction can silently swallow lines that were meant to be separate; a
future release will reject them. Remove the empty line, or end the
instruction before it.`, `
FROM debian:12
RUN apt-get update && \

    apt-get install -y curl`, `
FROM debian:12
RUN apt-get update && \
    apt-get install -y curl`),
	Run: func(p *analysis.Pass) {
		m := p.File.Semantics()
		report := func(in *analysis.Instruction) {
			s, e, ok := in.EmptyContinuationRange()
			if !ok {
				s, e = in.KeywordRange()
			}
			p.Report(analysis.Diagnostic{Start: s, End: e, Message: linter.RuleNoEmptyContinuation.Format()})
		}
		for _, in := range m.GlobalInstructions() {
			for _, w := range in.Warnings() {
				if w.URL == linter.RuleNoEmptyContinuation.URL {
					report(in)
					break
				}
			}
		}
		for _, s := range m.Stages {
			for _, in := range s.EmptyContinuations() {
				report(in)
			}
		}
	},
}
