// This file defines DuplicateStageName, BuildKit's check that stage names
// are unique.
package rules

import (
	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// DuplicateStageName reports a stage named like an earlier one (names
// compared lowercased, as BuildKit stores them). BuildKit applies only the
// file's `# check=` directive to it.
var DuplicateStageName = &analysis.Rule{
	Name:        linter.RuleDuplicateStageName.Name,
	Category:    analysis.Correctness,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleDuplicateStageName.Description,
	URL:         linter.RuleDuplicateStageName.URL,
	BuildKit:    true,
	Hadolint:    []string{"DL3024"},
	Doc: doc(`
When two stages share a name, "--target", "COPY --from" and "FROM" all refer
to the later one, and the earlier stage can only be reached by its index. That
is rarely what was meant, and it makes the build depend on the order of the
stages. Give every stage its own name.`, `
FROM golang:1.23 AS build
RUN go build -o /out/api ./cmd/api
FROM golang:1.23 AS build
RUN go build -o /out/worker ./cmd/worker`, `
FROM golang:1.23 AS build-api
RUN go build -o /out/api ./cmd/api
FROM golang:1.23 AS build-worker
RUN go build -o /out/worker ./cmd/worker`),
	Run: func(p *analysis.Pass) {
		seen := map[string]bool{}
		for _, s := range p.File.Semantics().Stages {
			if s.Name == "" {
				continue
			}
			if seen[s.Name] {
				p.Report(analysis.Diagnostic{Start: s.NameStart, End: s.NameEnd, Message: linter.RuleDuplicateStageName.Format(s.Name)})
			}
			seen[s.Name] = true
		}
	},
}
