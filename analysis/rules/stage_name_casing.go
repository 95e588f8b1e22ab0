// This file defines StageNameCasing, BuildKit's check that stage names are
// lowercase.
package rules

import (
	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// StageNameCasing reports a stage name that is not all lowercase.
var StageNameCasing = &analysis.Rule{
	Name:        linter.RuleStageNameCasing.Name,
	Category:    analysis.BestPractice,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleStageNameCasing.Description,
	URL:         linter.RuleStageNameCasing.URL,
	BuildKit:    true,
	Doc: doc(`
BuildKit lowercases stage names when it reads them, so "AS Builder" defines a
stage called "builder". Writing the name with capitals suggests that case
matters when it does not, and makes "COPY --from=Builder" and
"COPY --from=builder" look like references to different stages. Write stage
names in lowercase so they read the same everywhere they are used.`, `
FROM golang:1.23 AS BuildStep
RUN go build -o /out/app ./cmd/app
FROM alpine:3.20
COPY --from=BuildStep /out/app /usr/bin/app`, `
FROM golang:1.23 AS build-step
RUN go build -o /out/app ./cmd/app
FROM alpine:3.20
COPY --from=build-step /out/app /usr/bin/app`),
	Check: func(p *analysis.Pass, in *analysis.Instruction) {
		lintWarnings(p, in, func() (int, int) {
			_, _, name, _ := in.FromRanges()
			return name[0], name[1]
		})
	},
}
