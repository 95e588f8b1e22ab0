// This file exports, for the fix of SourceCopiedBeforeDependencies in
// package codeactions, what the rule knows about a finding: the broad COPY,
// the install it comes before, and the ecosystem's manifests and
// lockfiles.
package rules

import (
	"slices"

	"github.com/dockwise/dockwise/analysis"
)

// DepInstall is the install a SourceCopiedBeforeDependencies finding is
// about.
type DepInstall struct {
	// Copy is the COPY or ADD of the finding; Source its context source
	// (cleaned, without a leading slash; "." for the whole context).
	Copy   *analysis.Instruction
	Source string
	// Install is the RUN that installs (or builds and so fetches) the
	// dependencies after Copy.
	Install *analysis.Instruction
	// Group names the ecosystem ("node", "pip", "go", "maven" ...); Eco is
	// the installing command's ecosystem and Program its name ("npm",
	// "mvnw").
	Group   string
	Eco     analysis.Ecosystem
	Program string
	// Explicit is set for an install (npm ci, go mod download); unset for
	// a build that fetches what it lacks (go build, mvn package).
	Explicit bool
	// Files are the requirement files the install reads (pip -r).
	Files []string
	// Manifests are the group's manifest patterns (base names), Locks its
	// lockfile names, Download the subcommand that only downloads.
	Manifests, Locks []string
	Download         string
}

// SourceBeforeDepsInstall returns the install that the finding of
// SourceCopiedBeforeDependencies on the stage argument arg is about.
func SourceBeforeDepsInstall(s *analysis.Stage, ctx *analysis.BuildContext, arg int) (DepInstall, bool) {
	for in, c := range sourceBeforeInstalls(s, depFactsOf(s), ctx) {
		if c.arg != arg {
			continue
		}
		return DepInstall{
			Copy: s.Instructions[c.k], Source: c.src, Install: s.Instructions[in.k],
			Group: in.group.name, Eco: in.eco, Program: in.name, Explicit: in.explicit,
			Files:     slices.Clone(in.files),
			Manifests: slices.Clone(in.group.manifests), Locks: slices.Clone(in.group.locks),
			Download: in.group.download,
		}, true
	}
	return DepInstall{}, false
}
