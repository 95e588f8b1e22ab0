// This file exports what MissingCacheMount computes for one RUN, for the
// code action that adds the cache mounts.
package rules

import (
	"slices"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

// CacheMountNeeds is what a RUN needs so that its downloads are cached.
type CacheMountNeeds struct {
	// Dirs are the absolute directories to mount, in the order the
	// commands need them, without repeats.
	Dirs []string
	// DockerClean is set when the RUN installs with apt on a base whose
	// /etc/apt/apt.conf.d/docker-clean empties the apt cache, and no
	// earlier RUN (of the stage or of those it is built FROM) removes it:
	// removing it in the RUN itself is too late for CacheMountDefeated.
	DockerClean bool
	// Owner is the options that make the mounts writable for the RUN's
	// non-root user ("uid=1000,gid=1000"), empty for root.
	Owner string
	// APKLink is the command that makes the apk cache mount apk's
	// package cache, when the RUN needs it first ("" otherwise).
	APKLink string
}

// MissingCacheMounts returns the cache mounts the RUN in of stage s lacks,
// as MissingCacheMount reports them. ok is false when it lacks none, or
// when a directory depends on a home that is not known.
func MissingCacheMounts(s *analysis.Stage, in *analysis.Instruction) (CacheMountNeeds, bool) {
	var out CacheMountNeeds
	if s == nil || in == nil || !in.Is("run") || s.OS() == "windows" {
		return out, false
	}
	for run, cmds := range s.Runs() {
		if run != in {
			continue
		}
		apt := false
		for _, m := range missingMounts(s, in, cmds) {
			if m.tc.ownerOf != "" {
				return CacheMountNeeds{}, false // the user's ids are not known
			}
			out.Owner = m.tc.owner
			if m.tc.apkLink {
				out.APKLink = apkLinkCmd
			}
			for _, d := range m.missing {
				if strings.HasPrefix(d, "~") || !strings.HasPrefix(d, "/") {
					return CacheMountNeeds{}, false
				}
				if !slices.Contains(out.Dirs, d) {
					out.Dirs = append(out.Dirs, d)
				}
			}
			apt = apt || m.c.Eco == analysis.EcoApt
		}
		if apt && aptNeedsDockerClean(s, stageIndex(s, in)) {
			out.DockerClean = true
		}
		return out, len(out.Dirs) > 0
	}
	return out, false
}
