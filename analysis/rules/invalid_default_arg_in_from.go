// This file defines InvalidDefaultArgInFrom, BuildKit's check that FROM
// gives a valid image name with the ARGs' default values.
package rules

import (
	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// InvalidDefaultArgInFrom reports a FROM whose image, expanded with the
// default values of the global ARGs, is empty or not a valid reference.
// BuildKit applies only the file's `# check=` directive to it.
var InvalidDefaultArgInFrom = &analysis.Rule{
	Name:        linter.RuleInvalidDefaultArgInFrom.Name,
	Category:    analysis.Correctness,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleInvalidDefaultArgInFrom.Description,
	URL:         linter.RuleInvalidDefaultArgInFrom.URL,
	BuildKit:    true,
	Doc: doc(`
A FROM built from ARGs should still name a valid image when nobody passes
--build-arg. With "ARG TAG" and no default, "FROM alpine:${TAG}" becomes
"alpine:", which does not parse, so the build only works for those who know
which arguments to pass. Give the ARG a default value, or use a form such as
"${TAG:-latest}".`, `
ARG TAG
FROM alpine:${TAG}`, `
ARG TAG=3.20
FROM alpine:${TAG}`),
	Run: func(p *analysis.Pass) {
		for _, s := range p.File.Semantics().Stages {
			if s.BaseValue.Known && s.BaseErr != nil {
				p.Report(analysis.Diagnostic{Start: s.BaseStart, End: s.BaseEnd,
					Message: linter.RuleInvalidDefaultArgInFrom.Format(s.BaseName)})
			}
		}
	},
}
