// This file defines InvalidDefinitionDescription, BuildKit's experimental
// check of the comment above a stage or ARG.
package rules

import (
	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// InvalidDefinitionDescription reports a comment directly above `FROM ... AS
// name` or `ARG name` that does not start with the name it describes. It is
// experimental: it runs only when enabled (`# check=experimental=...`).
var InvalidDefinitionDescription = &analysis.Rule{
	Name:         linter.RuleInvalidDefinitionDescription.Name,
	Category:     analysis.BestPractice,
	Severity:     analysis.SeverityWarning,
	Description:  linter.RuleInvalidDefinitionDescription.Description,
	URL:          linter.RuleInvalidDefinitionDescription.URL,
	BuildKit:     true,
	Experimental: true,
	Doc: doc(`
BuildKit treats the comment right above a named stage or an ARG as its
description, and shows it when listing build targets and arguments. The
description is only recognized when it starts with the name being described,
as in "# version the release to package". A comment in any other shape is
probably a note that happens to sit there: start it with the name, or separate
it from the instruction with an empty comment line ("#").`, `
# check=experimental=InvalidDefinitionDescription
FROM alpine:3.20
# which release to package
ARG VERSION=1.0`, `
# check=experimental=InvalidDefinitionDescription
FROM alpine:3.20
# VERSION which release to package
ARG VERSION=1.0`),
	Check: func(p *analysis.Pass, in *analysis.Instruction) {
		lintWarnings(p, in, func() (int, int) {
			if s, e, ok := in.DescriptionRange(); ok {
				return s, e
			}
			return in.KeywordRange()
		})
	},
}
