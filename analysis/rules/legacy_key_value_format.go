// This file defines LegacyKeyValueFormat, BuildKit's check for `ENV key
// value` and `LABEL key value`.
package rules

import (
	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// LegacyKeyValueFormat reports ENV and LABEL pairs written without `=`.
var LegacyKeyValueFormat = &analysis.Rule{
	Name:        linter.RuleLegacyKeyValueFormat.Name,
	Category:    analysis.BestPractice,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleLegacyKeyValueFormat.Description,
	URL:         linter.RuleLegacyKeyValueFormat.URL,
	BuildKit:    true,
	Doc: doc(`
"ENV key value" sets one variable to everything after the first space, so
"ENV PATH /opt/bin PORT 8080" gives PATH the value "/opt/bin PORT 8080" rather
than setting two variables. The "key=value" form is unambiguous, can set
several pairs at once and quotes values explicitly.`, `
FROM alpine:3.20
ENV APP_ENV production
LABEL version 1.2.0`, `
FROM alpine:3.20
ENV APP_ENV=production
LABEL version="1.2.0"`),
	Check: func(p *analysis.Pass, in *analysis.Instruction) {
		if !in.Is("env") && !in.Is("label") || in.Command() == nil {
			return
		}
		for _, kv := range in.Pairs() {
			if kv.NoDelim {
				p.Report(analysis.Diagnostic{Start: kv.KeyStart, End: kv.KeyEnd, Instruction: in,
					Message: linter.RuleLegacyKeyValueFormat.Format(in.Keyword())})
			}
		}
	},
}
