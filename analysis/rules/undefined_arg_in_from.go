// This file defines UndefinedArgInFrom, BuildKit's check that FROM uses only
// declared ARGs.
package rules

import (
	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// UndefinedArgInFrom reports a variable in a FROM image or --platform that
// no ARG before the first FROM declares and BuildKit does not predefine.
var UndefinedArgInFrom = &analysis.Rule{
	Name:        linter.RuleUndefinedArgInFrom.Name,
	Category:    analysis.Correctness,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleUndefinedArgInFrom.Description,
	URL:         linter.RuleUndefinedArgInFrom.URL,
	BuildKit:    true,
	Doc: doc(`
FROM is expanded with the ARGs declared before the first FROM (and the
platform ARGs BuildKit predefines, such as BUILDPLATFORM). A variable declared
inside a stage, or not at all, expands to nothing there, which usually yields
a different image than intended or an invalid name. Declare the ARG at the top
of the file; a typo in the name is the other common cause, and the message
suggests the nearest declared name.`, `
FROM alpine:3.20 AS base
ARG NODE_VERSION=20
FROM node:${NODE_VERSION}-alpine`, `
ARG NODE_VERSION=20
FROM alpine:3.20 AS base
FROM node:${NODE_VERSION}-alpine`),
	Run: func(p *analysis.Pass) {
		for _, s := range p.File.Semantics().Stages {
			for _, refs := range [][]analysis.VarRef{s.BaseRefs, s.PlatformRefs} {
				for _, r := range refs {
					if r.State == analysis.RefUndefined {
						p.Report(analysis.Diagnostic{Start: r.Start, End: r.End, Instruction: s.From,
							Message: linter.RuleUndefinedArgInFrom.Format(r.Name, r.Suggest)})
					}
				}
			}
		}
	},
}
