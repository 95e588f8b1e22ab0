// This file defines InvalidBaseImagePlatform, BuildKit's check that a base
// image has the platform the stage asks for.
package rules

import (
	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// InvalidBaseImagePlatform reports a base whose platform differs from the
// one FROM --platform asks for. BuildKit compares with the platform of the
// image it pulled; dockwise pulls nothing and reports only what the file
// itself fixes: a stage built FROM another stage of the file whose platform
// is a constant, with a different constant --platform (BuildKit then builds
// on the parent's platform and ignores the flag). Like BuildKit it applies
// only the file's `# check=` directive. BuildKit gives this rule no
// documentation page; the URL is that of the build checks reference.
var InvalidBaseImagePlatform = &analysis.Rule{
	Name:        linter.RuleInvalidBaseImagePlatform.Name,
	Category:    analysis.Correctness,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleInvalidBaseImagePlatform.Description,
	URL:         "https://docs.docker.com/reference/build-checks/",
	BuildKit:    true,
	Doc: doc(`
When the base of a stage exists only for another platform than the one
requested, the stage's binaries do not match the image being built and fail
at run time with "exec format error". Within one Dockerfile this happens when
a stage pinned to one platform is used as the base of a stage that asks for
another: the child silently inherits the parent's platform. Build the parent
for the platform the child needs, or drop the conflicting --platform.`, `
FROM --platform=linux/amd64 debian:12 AS base-amd64
FROM --platform=linux/arm64 base-amd64 AS app-arm64`, `
FROM --platform=linux/arm64 debian:12 AS base-arm64
FROM --platform=linux/arm64 base-arm64 AS app-arm64`),
	Run: func(p *analysis.Pass) {
		for _, s := range p.File.Semantics().Stages {
			if s.Parent == nil {
				continue
			}
			want, ok1 := s.RequestedPlatform()
			got, ok2 := s.Parent.PlatformOf()
			if !ok1 || !ok2 {
				continue
			}
			want, got = want.Normalize(), got.Normalize()
			if want.OS != got.OS || want.Arch != got.Arch {
				p.Report(analysis.Diagnostic{Start: s.BaseStart, End: s.BaseEnd,
					Message: linter.RuleInvalidBaseImagePlatform.Format(s.BaseValue.S, want.String(), got.String())})
			}
		}
	},
}
