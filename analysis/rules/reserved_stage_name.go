// This file defines ReservedStageName, BuildKit's check that stages are not
// named after reserved words.
package rules

import (
	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// ReservedStageName reports a stage named `scratch` or `context`. BuildKit
// applies only the file's `# check=` directive to it.
var ReservedStageName = &analysis.Rule{
	Name:        linter.RuleReservedStageName.Name,
	Category:    analysis.Correctness,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleReservedStageName.Description,
	URL:         linter.RuleReservedStageName.URL,
	BuildKit:    true,
	Doc: doc(`
"scratch" is the empty base image and "context" names the build context, so a
stage with either name is ambiguous: "FROM scratch" after it, or a named build
context, may not refer to what the reader expects. Pick another name.`, `
FROM alpine:3.20 AS context
COPY . /src`, `
FROM alpine:3.20 AS sources
COPY . /src`),
	Run: func(p *analysis.Pass) {
		for _, s := range p.File.Semantics().Stages {
			if s.Name == "scratch" || s.Name == "context" {
				p.Report(analysis.Diagnostic{Start: s.NameStart, End: s.NameEnd, Message: linter.RuleReservedStageName.Format(s.Name)})
			}
		}
	},
}
