// This file defines RedundantTargetPlatform, BuildKit's check for `FROM
// --platform=$TARGETPLATFORM`.
package rules

import (
	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// RedundantTargetPlatform reports a FROM --platform that is just
// $TARGETPLATFORM, the platform FROM uses anyway.
var RedundantTargetPlatform = &analysis.Rule{
	Name:        linter.RuleRedundantTargetPlatform.Name,
	Category:    analysis.BestPractice,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleRedundantTargetPlatform.Description,
	URL:         linter.RuleRedundantTargetPlatform.URL,
	BuildKit:    true,
	Doc: doc(`
Without --platform, FROM pulls the base image for the platform being built,
which is what TARGETPLATFORM holds. Writing --platform=$TARGETPLATFORM changes
nothing and suggests that something special happens. Drop the flag; keep
--platform for the cases where it differs, such as $BUILDPLATFORM for a stage
that cross-compiles.`, `
FROM --platform=$TARGETPLATFORM alpine:3.20
RUN apk add --no-cache ca-certificates`, `
FROM alpine:3.20
RUN apk add --no-cache ca-certificates`),
	Run: func(p *analysis.Pass) {
		m := p.File.Semantics()
		tp, _ := m.Globals.Lookup("TARGETPLATFORM")
		for _, s := range m.Stages {
			if s.Platform == "" || len(s.PlatformRefs) != 1 {
				continue
			}
			r := s.PlatformRefs[0]
			if r.Name == "TARGETPLATFORM" && r.State == analysis.RefDefined && s.PlatformValue.Known && s.PlatformValue == tp.Value {
				p.Report(analysis.Diagnostic{Start: s.PlatformStart, End: s.PlatformEnd, Instruction: s.From,
					Message: linter.RuleRedundantTargetPlatform.Format(s.Platform)})
			}
		}
	},
}
