// This file defines FromPlatformFlagConstDisallowed, BuildKit's check for a
// constant FROM --platform.
package rules

import (
	"strings"

	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// FromPlatformFlagConstDisallowed reports FROM --platform with a constant
// value, unless the stage name mentions the platform's OS or architecture
// (a stage deliberately built for one platform).
var FromPlatformFlagConstDisallowed = &analysis.Rule{
	Name:        linter.RuleFromPlatformFlagConstDisallowed.Name,
	Category:    analysis.BestPractice,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleFromPlatformFlagConstDisallowed.Description,
	URL:         linter.RuleFromPlatformFlagConstDisallowed.URL,
	BuildKit:    true,
	Doc: doc(`
A fixed --platform makes the stage ignore the platform being built: a
multi-platform build then produces, say, amd64 binaries inside its arm64
image, and an emulated build runs slowly for no reason. Use the predefined
platform ARGs ($BUILDPLATFORM for tools that run during the build) so the
stage follows the build. When a stage is meant for one platform only, say so
in its name (for example "AS build-amd64") and the check accepts it.`, `
FROM --platform=linux/amd64 golang:1.23 AS build
RUN go build -o /out/app .`, `
FROM --platform=$BUILDPLATFORM golang:1.23 AS build
ARG TARGETOS TARGETARCH
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .`),
	Run: func(p *analysis.Pass) {
		for _, s := range p.File.Semantics().Stages {
			if s.Platform == "" || len(s.PlatformRefs) > 0 || !s.PlatformValue.Known {
				continue
			}
			pl, err := analysis.ParsePlatform(s.PlatformValue.S)
			if err != nil || strings.Contains(s.Name, pl.OS) || strings.Contains(s.Name, pl.Arch) {
				continue
			}
			p.Report(analysis.Diagnostic{Start: s.PlatformStart, End: s.PlatformEnd, Instruction: s.From,
				Message: linter.RuleFromPlatformFlagConstDisallowed.Format(s.PlatformValue.S)})
		}
	},
}
