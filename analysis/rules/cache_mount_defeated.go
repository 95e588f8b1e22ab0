// This file defines CacheMountDefeated: a cache mount the RUN itself
// keeps empty, so that it caches nothing.
package rules

import (
	"fmt"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

// CacheMountDefeated looks at each RUN with `--mount=type=cache` and the
// commands it runs: a flag or variable that turns the tool's cache off, a
// cleanup of the mounted directory, and for apt on Debian and Ubuntu
// images, the image's docker-clean configuration that deletes every
// downloaded package.
var CacheMountDefeated = &analysis.Rule{
	Name:        "CacheMountDefeated",
	Category:    analysis.Cache,
	Severity:    analysis.SeverityWarning,
	Description: "A cache mount caches nothing because the RUN turns the cache off or empties it",
	URL:         docURL("CacheMountDefeated"),
	Doc: doc(`
A cache mount keeps a directory across builds so that a rebuilt layer reuses
what earlier builds downloaded; the directory never ends up in the image. It
only helps if the tool writes its cache there and nothing empties it: pip
--no-cache-dir (or PIP_NO_CACHE_DIR), apk add --no-cache, npm cache clean,
apt-get clean or an rm -rf of the mounted path all leave the mount empty,
and every build downloads everything again. On Debian and Ubuntu images,
/etc/apt/apt.conf.d/docker-clean deletes the downloaded packages after every
install, so a cache mount of /var/cache/apt stays empty unless an earlier
RUN removes that file.

With a cache mount, the cleanup that keeps an image small is no longer
needed: the files are not in the layer. Drop the flag or the cleanup, and on
Debian-based images remove docker-clean first.`, `
FROM python:3.12-slim
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --no-cache-dir -r requirements.txt`, `
FROM python:3.12-slim
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install -r requirements.txt`),
	Run:   cacheMountDefeated,
	Stage: findingsAhead(computeCacheMountDefeated),
}

const dockerCleanAux = "docker-clean"

func cacheMountDefeated(p *analysis.Pass) {
	for _, s := range p.File.Semantics().Stages {
		for _, f := range nonWindowsFindings(p.Rule, s, computeCacheMountDefeated) {
			if f.aux != dockerCleanAux {
				f.report(p, s, "")
				continue
			}
			im := s.Image()
			if !aptCleansDownloads(im) || parentsKeepDownloads(s) {
				continue
			}
			f.report(p, s, fmt.Sprintf(f.msg, imageName(im)))
		}
	}
}

// keepsDownloads reports whether a RUN turns off Debian's docker-clean:
// it deletes or overrides /etc/apt/apt.conf.d/docker-clean, or configures
// apt to keep downloaded packages.
func keepsDownloads(in *analysis.Instruction) bool {
	src := in.Source()
	return strings.Contains(src, "docker-clean") || strings.Contains(src, "Keep-Downloaded-Packages")
}

// parentsKeepDownloads reports whether a stage s is built FROM turns off
// docker-clean.
func parentsKeepDownloads(s *analysis.Stage) bool {
	for p := s.Parent; p != nil; p = p.Parent {
		if firstKeep(p) < len(p.Instructions) {
			return true
		}
	}
	return false
}

// aptCleansDownloads reports whether an image is known to be Debian or
// Ubuntu based with docker-clean in place: debian, ubuntu, buildpack-deps,
// and the official language images in their Debian flavors.
func aptCleansDownloads(im analysis.BaseImage) bool {
	if im.Windows {
		return false
	}
	ref := strings.ToLower(im.Ref)
	for _, w := range []string{"alpine", "ubi", "oracle", "corretto", "amazon", "mariner", "azurelinux", "windows", "nanoserver", "fedora", "centos", "rocky", "alma"} {
		if strings.Contains(ref, w) {
			return false
		}
	}
	switch im.Family {
	case analysis.FamilyDebian, analysis.FamilyUbuntu, analysis.FamilyBuildpackDeps:
		return true
	case analysis.FamilyNode, analysis.FamilyPython, analysis.FamilyGo, analysis.FamilyRust, analysis.FamilyRuby,
		analysis.FamilyPHP, analysis.FamilyNginx, analysis.FamilyHttpd, analysis.FamilyGCC, analysis.FamilyTemurin,
		analysis.FamilyDotnet:
		return im.Libc == analysis.Glibc && im.Shell != analysis.FactNo
	case analysis.FamilyMaven, analysis.FamilyGradle:
		return im.Libc == analysis.Glibc && (strings.Contains(ref, "temurin") || strings.Contains(ref, "jdk"))
	}
	return false
}

// cacheMount is a RUN's cache mount with its target resolved.
type cacheMount struct {
	m      analysis.Mount
	target string // "?" when unknown
}

func computeCacheMountDefeated(fs *findingSink) {
	s := fs.s
	kept := false // an earlier RUN of the stage turned docker-clean off
	for in, cmds := range s.Runs() {
		var mounts []cacheMount
		user := userAt(s, stageIndex(s, in))
		env := runEnv{s: s, in: in}
		home := homeFor(user, analysis.Value{}, false)
		if v, ok := s.EnvAt(in, "HOME"); ok {
			home = homeFor(user, v, ok)
		}
		for _, m := range in.Mounts() {
			if m.Type == "cache" {
				mounts = append(mounts, cacheMount{m: m, target: resolveTarget(m.Target, nil, env, home)})
			}
		}
		keeps := keepsDownloads(in)
		if len(mounts) > 0 && cmds != nil {
			defeatedBy(func(start, end int, msg string) { fs.add(in, start, end, msg, "") }, cmds, mounts, env, user, home)
			if !kept && !keeps && installsWithApt(cmds) {
				for _, cm := range mounts {
					if cm.target != "?" && (within(cm.target, "/var/cache/apt") || within("/var/cache/apt", cm.target)) {
						fs.add(in, cm.m.TargetStart, cm.m.TargetEnd,
							"%s deletes downloaded packages after every install (/etc/apt/apt.conf.d/docker-clean), so the cache mount at "+strings.ReplaceAll(cm.m.Target, "%", "%%")+
								" stays empty; remove that file in an earlier RUN (`rm -f /etc/apt/apt.conf.d/docker-clean`)", dockerCleanAux)
						break
					}
				}
			}
		}
		kept = kept || keeps
	}
}

func installsWithApt(cmds []analysis.Command) bool {
	for i := range cmds {
		if cmds[i].Eco == analysis.EcoApt && cmds[i].Op == analysis.OpInstallPkgs {
			return true
		}
	}
	return false
}

// mountFor returns the first cache mount that covers one of the needs.
func mountFor(mounts []cacheMount, needs []cacheNeed, home string) (cacheMount, bool) {
	for _, cm := range mounts {
		if cm.target == "?" {
			continue
		}
		for _, n := range needs {
			if covered([]string{cm.target}, n, home) {
				return cm, true
			}
		}
	}
	return cacheMount{}, false
}

// defeatedBy reports the commands of a RUN that keep its cache mounts
// empty.
func defeatedBy(report func(start, end int, msg string), cmds []analysis.Command, mounts []cacheMount, env runEnv, user, home string) {
	for i := range cmds {
		c := &cmds[i]
		if c.Subst {
			continue
		}
		// The tool's cache turned off.
		if tc, ok := cacheOf(c, env, user); ok && tc.off {
			if cm, ok := mountFor(mounts, tc.needs, tc.home); ok {
				if tc.offEnv == "" {
					report(tc.offFlag.Start, tc.offFlag.End, fmt.Sprintf(
						"%s turns %s's cache off, so the cache mount at %s stays empty; drop the flag (the mount already keeps the cache out of the image)",
						tc.offFlag.Text, c.Name, cm.m.Target))
				} else {
					report(c.Prog.Start, c.SubEnd, fmt.Sprintf(
						"%s is set, so %s never writes to the cache mount at %s; unset it for this RUN (the mount already keeps the cache out of the image)",
						tc.offEnv, tc.tool, cm.m.Target))
				}
			}
			continue
		}
		if c.Op != analysis.OpCleanup {
			continue
		}
		// A package manager's cache cleanup.
		if c.Eco != analysis.EcoNone {
			if needs := cleanedCaches(c, env, user); len(needs) > 0 {
				if cm, ok := mountFor(mounts, needs, home); ok {
					report(c.Prog.Start, c.SubEnd, fmt.Sprintf(
						"%s %s empties the cache mount at %s, so the next build downloads everything again; drop it (the mount already keeps the cache out of the image)",
						c.Name, c.Sub, cm.m.Target))
				}
			}
			continue
		}
		// rm -rf or find -delete of a mounted path.
		for _, t := range c.Targets {
			if !t.Literal {
				continue
			}
			p := t.Text
			if strings.HasPrefix(p, "~/") {
				p = home + p[1:]
			}
			if !strings.HasPrefix(p, "/") {
				if !strings.HasPrefix(c.Dir, "/") || c.DirUnknown || p == "" {
					continue
				}
				p = c.Dir + "/" + p
			}
			for _, cm := range mounts {
				if cm.target == "?" {
					continue
				}
				if overlaps(p, cm.target) {
					report(t.Start, t.End, fmt.Sprintf(
						"%s %s deletes the contents of the cache mount at %s, so the next build downloads everything again; drop it (the mount already keeps those files out of the image)",
						c.Name, t.Text, cm.m.Target))
					break
				}
			}
		}
	}
}

// cleanedCaches returns the caches a package manager's cleanup empties.
func cleanedCaches(c *analysis.Command, env runEnv, user string) []cacheNeed {
	if c.Eco == analysis.EcoApt {
		return []cacheNeed{{dir: "/var/cache/apt"}}
	}
	switch {
	case c.Eco == analysis.EcoGo:
		if _, ok := c.Flag("-cache", "-modcache"); !ok {
			return nil
		}
	case c.Eco == analysis.EcoBundler, c.Eco == analysis.EcoCargo, c.Eco == analysis.EcoPnpm,
		c.Eco == analysis.EcoUv && c.Sub == "cache prune":
		// bundle clean, cargo clean: not the download cache; pnpm
		// store prune, uv cache prune: only what nothing uses
		return nil
	}
	cc := *c
	switch c.Eco {
	case analysis.EcoApk:
		cc.Op = analysis.OpInstallPkgs
	case analysis.EcoGo, analysis.EcoCargo, analysis.EcoMaven, analysis.EcoGradle:
		cc.Op = analysis.OpBuild
	default:
		cc.Op = analysis.OpInstallDeps
	}
	tc, ok := cacheOf(&cc, env, user)
	if !ok {
		return nil
	}
	return tc.needs
}
