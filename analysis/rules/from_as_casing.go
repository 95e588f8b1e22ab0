// This file defines FromAsCasing, BuildKit's check that the AS keyword of a
// FROM has the same case as FROM.
package rules

import (
	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// FromAsCasing reports `FROM image as name` (or `from image AS name`).
var FromAsCasing = &analysis.Rule{
	Name:        linter.RuleFromAsCasing.Name,
	Category:    analysis.BestPractice,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleFromAsCasing.Description,
	URL:         linter.RuleFromAsCasing.URL,
	BuildKit:    true,
	Doc: doc(`
Keywords are case-insensitive, but a Dockerfile is easier to scan when it
writes them one way. In a FROM line the AS keyword should follow the case of
FROM: uppercase after FROM, lowercase after from. A FROM keyword in mixed case
is left to ConsistentInstructionCasing.`, `
FROM node:20 as deps
RUN npm ci`, `
FROM node:20 AS deps
RUN npm ci`),
	Check: func(p *analysis.Pass, in *analysis.Instruction) {
		lintWarnings(p, in, func() (int, int) {
			_, as, _, _ := in.FromRanges()
			return as[0], as[1]
		})
	},
}
