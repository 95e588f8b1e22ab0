// This file defines AptCacheMountNotLocked: a cache mount of apt's
// directories that concurrent builds can use at the same time.
package rules

import (
	"fmt"
	"path"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

// AptCacheMountNotLocked reads the RUN's --mount flags alone.
var AptCacheMountNotLocked = &analysis.Rule{
	Name:        "AptCacheMountNotLocked",
	Category:    analysis.Cache,
	Severity:    analysis.SeverityWarning,
	Description: "An apt cache mount is shared between concurrent builds without sharing=locked",
	URL:         docURL("AptCacheMountNotLocked"),
	Doc: doc(`
A cache mount is shared by default: builds that run at the same time (two
stages of one build, or two builds on one builder) use the same directory at
once. apt keeps a lock file in /var/cache/apt and /var/lib/apt and expects
to be alone there; two apt processes in one cache fail with "Could not get
lock" or leave a corrupt package list behind.

Mount apt's directories with sharing=locked, which makes a second build wait
until the first releases the cache. (sharing=private, which gives each
concurrent build a directory of its own, is safe too, but caches less.)`, `
FROM debian:bookworm
RUN --mount=type=cache,target=/var/cache/apt \
    --mount=type=cache,target=/var/lib/apt \
    apt-get update && apt-get install -y --no-install-recommends curl`, `
FROM debian:bookworm
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt,sharing=locked \
    apt-get update && apt-get install -y --no-install-recommends curl`),
	Check: aptCacheMountNotLocked,
}

func aptCacheMountNotLocked(p *analysis.Pass, in *analysis.Instruction) {
	for _, m := range in.Mounts() {
		if m.Type != "cache" || !isAptDir(m.Target) {
			continue
		}
		if m.Sharing == "locked" || m.Sharing == "private" {
			continue
		}
		start, end := m.Start, m.End
		if m.SharingEnd > m.SharingStart {
			start, end = m.SharingStart, m.SharingEnd
		}
		p.Report(analysis.Diagnostic{Start: start, End: end, Instruction: in,
			Message: fmt.Sprintf("the cache mount at %s is shared with concurrent builds, and two apt runs in one cache fail on its lock or corrupt it; add `sharing=locked` to the mount", m.Target)})
	}
}

// isAptDir reports whether a target is one of apt's cache directories or
// inside one.
func isAptDir(t string) bool {
	if t == "" || strings.Contains(t, "$") {
		return false
	}
	t = path.Clean(t)
	return within(t, "/var/cache/apt") || within(t, "/var/lib/apt")
}
