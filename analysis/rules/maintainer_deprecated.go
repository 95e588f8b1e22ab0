// This file defines MaintainerDeprecated, BuildKit's check for the
// deprecated MAINTAINER instruction.
package rules

import (
	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// MaintainerDeprecated reports MAINTAINER instructions.
var MaintainerDeprecated = &analysis.Rule{
	Name:        linter.RuleMaintainerDeprecated.Name,
	Category:    analysis.BestPractice,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleMaintainerDeprecated.Description,
	URL:         linter.RuleMaintainerDeprecated.URL,
	BuildKit:    true,
	Hadolint:    []string{"DL4000"},
	Doc: doc(`
MAINTAINER sets the author field of the image, a field the OCI image format no
longer has a use for; tools read authorship from labels instead. Record the
author with the standard org.opencontainers.image.authors label, which
registries and scanners understand.`, `
FROM alpine:3.20
MAINTAINER Jane Doe <jane@example.com>`, `
FROM alpine:3.20
LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"`),
	Check: func(p *analysis.Pass, in *analysis.Instruction) {
		lintWarnings(p, in, in.KeywordRange)
	},
}
