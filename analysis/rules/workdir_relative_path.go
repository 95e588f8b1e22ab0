// This file defines WorkdirRelativePath, BuildKit's check that a stage's
// first WORKDIR is absolute.
package rules

import (
	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/util/system"
)

// WorkdirRelativePath reports a relative path in the first WORKDIR of a
// stage (counting the stages it is built from). Later relative WORKDIRs
// build on an absolute one and are fine.
var WorkdirRelativePath = &analysis.Rule{
	Name:        linter.RuleWorkdirRelativePath.Name,
	Category:    analysis.BestPractice,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleWorkdirRelativePath.Description,
	URL:         linter.RuleWorkdirRelativePath.URL,
	BuildKit:    true,
	Hadolint:    []string{"DL3000"},
	Doc: doc(`
A relative WORKDIR is resolved against the working directory the base image
happens to set. If the next version of the image moves it, files land
somewhere else and later instructions break. Set an absolute WORKDIR first;
relative ones after it are resolved against a directory this Dockerfile
controls.`, `
FROM node:20
WORKDIR app
COPY . .`, `
FROM node:20
WORKDIR /app
COPY . .`),
	Run: func(p *analysis.Pass) {
		for _, s := range p.File.Semantics().Stages {
			in := s.FirstWorkdir()
			if in == nil {
				continue
			}
			for a := range s.ArgsOf(analysis.RoleWorkdir) {
				if a.Instruction != in {
					continue
				}
				os := s.OS()
				if hasDriveLetter(a.Value.S) {
					// A Windows path: the stage builds for Windows even
					// if the model could not tell from its base.
					os = "windows"
				}
				if a.Role == analysis.RoleWorkdir && a.Value.Known && !system.IsAbs(a.Value.S, os) {
					p.Report(analysis.Diagnostic{Start: a.Start, End: a.End, Instruction: in,
						Message: linter.RuleWorkdirRelativePath.Format(a.Value.S)})
				}
			}
		}
	},
}

// hasDriveLetter reports whether p starts with a Windows drive (`C:`).
func hasDriveLetter(p string) bool {
	return len(p) >= 2 && p[1] == ':' && ('a' <= p[0] && p[0] <= 'z' || 'A' <= p[0] && p[0] <= 'Z')
}
