// This file defines MultipleInstructionsDisallowed, BuildKit's check for
// CMD, ENTRYPOINT and HEALTHCHECK repeated in a stage.
package rules

import (
	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// MultipleInstructionsDisallowed reports a CMD, ENTRYPOINT or HEALTHCHECK
// that a later one of the same kind in the same stage overrides. As in
// BuildKit the diagnostic is on the overridden instruction, while a `#
// check=skip=` comment above the later one suppresses it (BuildKit checks
// when it reaches the later one).
var MultipleInstructionsDisallowed = &analysis.Rule{
	Name:        linter.RuleMultipleInstructionsDisallowed.Name,
	Category:    analysis.Correctness,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleMultipleInstructionsDisallowed.Description,
	URL:         linter.RuleMultipleInstructionsDisallowed.URL,
	BuildKit:    true,
	Hadolint:    []string{"DL4003", "DL4004"},
	Doc: doc(`
A stage keeps only the last CMD, the last ENTRYPOINT and the last HEALTHCHECK;
earlier ones are silently replaced. Two of them in one stage are usually a
leftover or a misunderstanding (for instance expecting both commands to run).
Keep one, and combine the commands if both are needed. A stage built FROM
another stage may override the parent's: that is not reported.`, `
FROM python:3.12-slim
COPY . /app
CMD ["python", "/app/migrate.py"]
CMD ["python", "/app/serve.py"]`, `
FROM python:3.12-slim
COPY . /app
CMD ["sh", "-c", "python /app/migrate.py && exec python /app/serve.py"]`),
	Run: func(p *analysis.Pass) {
		for _, s := range p.File.Semantics().Stages {
			for _, o := range s.Overrides() {
				st, e := o.Earlier.KeywordRange()
				p.Report(analysis.Diagnostic{Start: st, End: e, Instruction: o.Later,
					Message: linter.RuleMultipleInstructionsDisallowed.Format(o.Later.Keyword())})
			}
		}
	},
}
