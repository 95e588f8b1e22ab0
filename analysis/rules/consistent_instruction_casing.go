// This file defines ConsistentInstructionCasing, BuildKit's check that
// instruction keywords share one case.
package rules

import (
	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// ConsistentInstructionCasing reports keywords in mixed case (`Run`) and
// keywords whose case differs from the majority of the file's keywords.
// Like BuildKit it counts the instructions of stages (FROM included), not
// the ARGs before the first FROM, and applies only the file's `# check=`
// directive.
var ConsistentInstructionCasing = &analysis.Rule{
	Name:        linter.RuleConsistentInstructionCasing.Name,
	Category:    analysis.BestPractice,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleConsistentInstructionCasing.Description,
	URL:         linter.RuleConsistentInstructionCasing.URL,
	BuildKit:    true,
	Doc: doc(`
Instruction keywords are case-insensitive, but mixing "RUN" and "run" in one
file, or writing "Run", makes it harder to read and to search. The check finds
whether most keywords are uppercase or lowercase and reports those that
differ; a tie counts as uppercase.`, `
FROM alpine:3.20
run apk add --no-cache curl
COPY app /usr/bin/app`, `
FROM alpine:3.20
RUN apk add --no-cache curl
COPY app /usr/bin/app`),
	Run: func(p *analysis.Pass) {
		stages := p.File.Semantics().Stages
		lower, upper := 0, 0
		for _, s := range stages {
			l, u := s.KeywordCase()
			lower, upper = lower+l, upper+u
		}
		majorityLower := lower > upper
		want := "uppercase"
		if majorityLower {
			want = "lowercase"
		}
		for _, s := range stages {
			for _, in := range s.KeywordsNotIn(majorityLower) {
				st, e := in.KeywordRange()
				p.Report(analysis.Diagnostic{Start: st, End: e, Message: linter.RuleConsistentInstructionCasing.Format(in.Keyword(), want)})
			}
		}
	},
}
