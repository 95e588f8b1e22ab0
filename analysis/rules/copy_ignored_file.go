// This file defines CopyIgnoredFile, BuildKit's check for COPY and ADD
// sources that .dockerignore excludes.
package rules

import (
	"path/filepath"
	"strings"
	"sync"

	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// CopyIgnoredFile reports a COPY (from the build context) or ADD source that
// the context's .dockerignore excludes. Like BuildKit it says nothing when
// the ignore file has `!` exceptions, and it needs the build context (quiet
// when it is unknown).
var CopyIgnoredFile = &analysis.Rule{
	Name:        linter.RuleCopyIgnoredFile.Name,
	Category:    analysis.Correctness,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleCopyIgnoredFile.Description,
	URL:         linter.RuleCopyIgnoredFile.URL,
	BuildKit:    true,
	Doc: doc(`
Files that .dockerignore excludes are never sent to the builder, so a COPY of
one fails with "not found", or, with a wildcard, quietly copies less than
intended. Either the file should not be ignored, or the instruction should not
copy it. (Given the ignore file "*.md", the example below fails.)`, `
FROM alpine:3.20
COPY README.md /usr/share/doc/app/`, `
FROM alpine:3.20
COPY LICENSE /usr/share/doc/app/`),
	Run: func(p *analysis.Pass) {
		ctx := p.Context
		if !ctx.HasDockerignore() || len(ctx.Patterns()) == 0 || ctx.HasExclusions() {
			return
		}
		for _, s := range p.File.Semantics().Stages {
			for _, i := range ignoredSources(s, ctx) {
				a := s.ArgAt(i)
				verb := "Copy"
				if a.Instruction.Is("add") {
					verb = "Add"
				}
				p.Report(analysis.Diagnostic{Start: a.Start, End: a.End, Instruction: a.Instruction,
					Message: linter.RuleCopyIgnoredFile.Format(verb, cleanSource(a.Value.S))})
			}
		}
	},
}

// isRemoteSource reports whether a source is a URL or a Git repository,
// which BuildKit fetches instead of reading from the context.
func isRemoteSource(s string) bool {
	return strings.Contains(s, "://") || strings.HasPrefix(s, "git@")
}

func cleanSource(s string) string { return filepath.ToSlash(filepath.Clean(s)) }

// ignoredKey identifies the per-stage memo of ignored sources.
type ignoredKey struct{}

// ignoredMemo remembers, for one stage, which sources the last build
// context seen ignores (one context at a time, so memory stays bounded
// however many contexts are created).
type ignoredMemo struct {
	mu  sync.Mutex
	ctx *analysis.BuildContext
	idx []int
}

// ignoredSources returns the indices of the stage's sources that ctx
// ignores, as BuildKit's validateCopySourcePath judges them.
func ignoredSources(s *analysis.Stage, ctx *analysis.BuildContext) []int {
	m := s.Cached(ignoredKey{}, func(*analysis.Stage) any { return &ignoredMemo{} }).(*ignoredMemo)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ctx == ctx {
		return m.idx
	}
	m.ctx, m.idx = ctx, nil
	for a := range s.ArgsOf(analysis.RoleSource) {
		if !a.Value.Known || isRemoteSource(a.Value.S) {
			continue
		}
		src := cleanSource(a.Value.S)
		if (src == "." || src == "/") && !ctx.IgnoresRoot() {
			continue
		}
		if ctx.Ignored(src) {
			m.idx = append(m.idx, a.Index)
		}
	}
	return m.idx
}
