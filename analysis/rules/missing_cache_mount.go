// This file defines MissingCacheMount: a package install or module
// download that runs without a cache mount for the tool's cache.
package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

// MissingCacheMount looks at the commands of each RUN that download
// packages or modules (apt-get install, apk add, pip, npm, yarn, pnpm, go,
// cargo, mvn, gradle, bundle, composer, uv, poetry) and at the RUN's
// `--mount=type=cache` targets, with cache directories adjusted to the
// USER's home and to the tools' cache variables.
var MissingCacheMount = &analysis.Rule{
	Name:        "MissingCacheMount",
	Category:    analysis.Cache,
	Severity:    analysis.SeverityInfo,
	Description: "A package install or download runs without a cache mount for the tool's cache",
	URL:         docURL("MissingCacheMount"),
	Doc: doc(`
When a layer has to be rebuilt, every package it installs is downloaded again:
the tool's download cache lives in the layer that is being thrown away.
BuildKit's cache mounts keep a directory across builds without putting it in
the image, so a rebuild reuses what earlier builds downloaded, and the cache
never ships.

Mount the cache directory of the tool the RUN uses: /var/cache/apt and
/var/lib/apt for apt (with sharing=locked), /var/cache/apk for apk,
~/.cache/pip for pip, ~/.npm for npm, /usr/local/share/.cache/yarn for
yarn 1, the pnpm store, /go/pkg/mod and ~/.cache/go-build for go, the cargo
registry and git directories, ~/.m2 for Maven, ~/.gradle for Gradle, and the
caches of bundler, composer, uv and poetry. The directories follow the USER
in effect and the tools' variables (PIP_CACHE_DIR, npm_config_cache,
GOMODCACHE, GOCACHE, CARGO_HOME, ...). A command that turns its cache off
(pip --no-cache-dir, apk add --no-cache) is left alone.

Two details decide whether the mount caches anything. BuildKit creates a
cache mount owned by root: for a non-root USER give it the user's ids
(uid=1000,gid=1000), or the tool cannot write there. And apk keeps the
packages it downloads only where /etc/apk/cache links, so link it first
(ln -sf /var/cache/apk /etc/apk/cache).`, `
FROM python:3.12-slim
COPY requirements.txt .
RUN pip install -r requirements.txt`, `
FROM python:3.12-slim
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install -r requirements.txt`),
	Run:   missingCacheMount,
	Stage: findingsAhead(computeMissingCacheMount),
}

func missingCacheMount(p *analysis.Pass) {
	for _, s := range p.File.Semantics().Stages {
		for _, f := range nonWindowsFindings(p.Rule, s, computeMissingCacheMount) {
			if f.aux == aptAux {
				if aptNeedsDockerClean(s, f.k) {
					// Following the advice alone would give an empty
					// cache: say what else the mount needs on this base.
					f.msg += aptCleanNote(s)
				}
			}
			f.report(p, s, "")
		}
	}
}

func computeMissingCacheMount(fs *findingSink) {
	s := fs.s
	for in, cmds := range s.Runs() {
		for _, m := range missingMounts(s, in, cmds) {
			aux := ""
			if m.c.Eco == analysis.EcoApt {
				aux = aptAux
			}
			fs.add(in, m.c.Prog.Start, m.c.SubEnd, missingCacheMessage(m.tc, m.missing, m.drops), aux)
		}
	}
}

// commandMissing is a command of a RUN that runs without cache mounts for
// some of its caches.
type commandMissing struct {
	c       *analysis.Command
	tc      toolCache
	missing []string // the directories not mounted
	drops   []string // what in the RUN would empty the mounts: "apt-get clean", "the deletion of /var/lib/apt/lists/*"
}

// missingMounts returns the commands of the RUN in (of stage s, whose
// commands are cmds) that lack cache mounts, one per ecosystem.
func missingMounts(s *analysis.Stage, in *analysis.Instruction, cmds []analysis.Command) []commandMissing {
	if len(cmds) == 0 {
		return nil
	}
	var out []commandMissing
	ms := in.Mounts()
	user := userAt(s, stageIndex(s, in))
	env := runEnv{s: s, in: in}
	seen := map[analysis.Ecosystem]bool{}
	for i := range cmds {
		c := &cmds[i]
		if c.Subst || seen[c.Eco] {
			continue
		}
		tc, ok := cacheOf(c, env, user)
		if !ok {
			continue
		}
		seen[c.Eco] = true
		if tc.off || tc.unsure {
			continue
		}
		targets := linkedTargets(cmds, cacheTargets(ms, c, env, tc.home))
		var missing []string
		for _, n := range tc.needs {
			if !covered(targets, n, tc.home) {
				missing = append(missing, n.dir)
			}
		}
		if c.Eco == analysis.EcoGo && len(missing) == 1 && len(tc.needs) == 2 && missing[0] == tc.needs[0].dir && tc.needs[0].kws != nil {
			// go build with its build cache mounted but not the
			// default module cache: the modules may be vendored.
			missing = nil
		}
		if len(missing) == 0 || len(targets) > 0 && s.Env.Open() {
			// With an unknown base image, the home and the cache
			// variables are unknown: a mount elsewhere may be right.
			continue
		}
		if o, known := mountOwner(user, s.Image()); known {
			tc.owner = o
		} else {
			tc.ownerOf = user
		}
		if c.Eco == analysis.EcoApk && slices.Contains(missing, "/var/cache/apk") && !apkCacheLinked(s, in, cmds) {
			tc.apkLink = true
		}
		out = append(out, commandMissing{c: c, tc: tc, missing: missing, drops: emptiers(in, cmds, missing, c, env, user, tc.home)})
	}
	return out
}

// emptiers returns what in the RUN would empty cache mounts of the missing
// directories, were they added: CacheMountDefeated's findings for them.
func emptiers(in *analysis.Instruction, cmds []analysis.Command, missing []string, c *analysis.Command, env runEnv, user, home string) []string {
	sim := make([]cacheMount, 0, len(missing))
	for _, d := range missing {
		sim = append(sim, cacheMount{m: analysis.Mount{Type: "cache", Target: d}, target: resolveTarget(d, c, env, home)})
	}
	var out []string
	text := in.File().Text
	defeatedBy(func(start, end int, _ string) {
		w := text[start:end]
		if strings.HasPrefix(w, "/") || strings.HasPrefix(w, "~") {
			w = "the deletion of " + w
		} else {
			w = "`" + w + "`"
		}
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}, cmds, sim, env, user, home)
	return out
}

// apkLinkCmd makes /var/cache/apk apk's package cache.
const apkLinkCmd = "ln -sf /var/cache/apk /etc/apk/cache"

// apkCacheLinked reports whether /etc/apk/cache is a link when the RUN in
// runs its apk: an earlier RUN of the stage or of a stage it is built FROM,
// or a command of this RUN, made it.
func apkCacheLinked(s *analysis.Stage, in *analysis.Instruction, cmds []analysis.Command) bool {
	links := func(cs []analysis.Command) bool {
		for _, l := range symlinks(cs) {
			if l.link == "/etc/apk/cache" {
				return true
			}
		}
		return false
	}
	if links(cmds) {
		return true
	}
	for _, t := range s.Chain() { // s first, then its parents whole
		for run, cs := range t.Runs() {
			if run == in {
				break
			}
			if links(cs) {
				return true
			}
		}
	}
	return false
}

// symlink is an `ln -s from link` of a RUN, with absolute, clean paths.
type symlink struct{ from, link string }

// symlinks returns the symbolic links the commands make between absolute
// paths.
func symlinks(cmds []analysis.Command) []symlink {
	var out []symlink
	for i := range cmds {
		c := &cmds[i]
		if c.Name != "ln" {
			continue
		}
		var ops []string
		symbolic := false
		for _, a := range c.Args {
			switch {
			case strings.HasPrefix(a.Text, "--"):
				symbolic = symbolic || a.Text == "--symbolic"
			case strings.HasPrefix(a.Text, "-"):
				symbolic = symbolic || strings.Contains(a.Text, "s")
			default:
				ops = append(ops, a.Text)
			}
		}
		if symbolic && len(ops) == 2 && path.IsAbs(ops[0]) && path.IsAbs(ops[1]) {
			out = append(out, symlink{from: path.Clean(ops[0]), link: path.Clean(ops[1])})
		}
	}
	return out
}

// linkedTargets adds to the cache mount targets the paths the RUN links to
// them (`ln -s /pkg-cache /etc/apk/cache`): a mount made a tool's cache
// through a symbolic link. A link at /etc/apk/cache makes apk keep its
// packages there, so it stands for /var/cache/apk.
func linkedTargets(cmds []analysis.Command, targets []string) []string {
	out := targets
	for _, l := range symlinks(cmds) {
		for _, t := range targets {
			if t != "?" && within(l.from, t) {
				out = append(out, l.link)
				if l.link == "/etc/apk/cache" {
					out = append(out, "/var/cache/apk")
				}
				break
			}
		}
	}
	return out
}

func missingCacheMessage(tc toolCache, missing, drops []string) string {
	what := "a cache mount for " + missing[0]
	if len(missing) > 1 {
		what = "cache mounts for " + strings.Join(missing[:len(missing)-1], ", ") + " and " + missing[len(missing)-1]
	}
	var flags []string
	for _, d := range missing {
		if rest, ok := strings.CutPrefix(d, "~"); ok {
			d = "<home>" + rest // BuildKit does not expand ~
		}
		f := "--mount=type=cache,target=" + d
		if strings.HasPrefix(d, "/var/cache/apt") || strings.HasPrefix(d, "/var/lib/apt") {
			f += ",sharing=locked"
		}
		if tc.owner != "" {
			f += "," + tc.owner
		}
		flags = append(flags, f)
	}
	again := "downloads again"
	if compileOnly(missing) {
		again = "compiles again"
	}
	owner := ""
	if tc.ownerOf != "" {
		owner = fmt.Sprintf(" with the uid= and gid= of %s (a cache mount belongs to root otherwise)", tc.ownerOf)
	}
	if tc.apkLink {
		owner += " and start it with `" + apkLinkCmd + " &&` (apk keeps the packages it downloads only where /etc/apk/cache links)"
	}
	if len(drops) > 0 {
		mounts := "the mount"
		if len(missing) > 1 {
			mounts = "the mounts"
		}
		owner += ", and drop " + strings.Join(drops, " and ") + " from it, which would empty " + mounts
	}
	return fmt.Sprintf("%s runs without %s, so every rebuild of this layer %s; add `%s` to the RUN%s",
		tc.tool, what, again, strings.Join(flags, " "), owner)
}

// compileOnly reports whether the missing caches only hold compiler output
// (Go's build cache), not downloads.
func compileOnly(missing []string) bool {
	for _, d := range missing {
		if !strings.HasSuffix(d, "go-build") && !strings.Contains(d, "GOCACHE") {
			return false
		}
	}
	return true
}

// aptAux marks apt findings, whose message depends on the base image.
const aptAux = "apt"

// aptCleanNote returns what an apt cache mount in stage s also needs when
// its base image empties the apt cache after every install and no parent
// stage turns that off, or "". Cached with the stage: every keystroke
// reports each stage's findings again.
func aptCleanNote(s *analysis.Stage) string {
	return s.Cached(aptCleanNoteKey{}, func(s *analysis.Stage) any {
		if im := s.Image(); aptCleansDownloads(im) && !parentsKeepDownloads(s) {
			return "; on " + imageName(im) + " also delete /etc/apt/apt.conf.d/docker-clean first, which empties the apt cache after every install"
		}
		return ""
	}).(string)
}

type aptCleanNoteKey struct{}

// aptNeedsDockerClean reports whether an apt cache mount on the stage's
// k-th instruction would stay empty unless docker-clean is deleted: the
// base image has it and nothing before the instruction turns it off.
func aptNeedsDockerClean(s *analysis.Stage, k int) bool {
	return aptCleanNote(s) != "" && !stageKeepsDownloadsBefore(s, k)
}

// stageKeepsDownloadsBefore reports whether one of the first k instructions
// after the stage's FROM turns off docker-clean.
func stageKeepsDownloadsBefore(s *analysis.Stage, k int) bool { return firstKeep(s) < k }

// firstKeep returns the index of the stage's first RUN that turns off
// docker-clean, len(s.Instructions) when none does. Cached with the stage:
// every edit reports the stage's apt findings again.
func firstKeep(s *analysis.Stage) int {
	return s.Cached(firstKeepKey{}, func(s *analysis.Stage) any {
		for i, in := range s.Instructions {
			if in.Is("run") && keepsDownloads(in) {
				return i
			}
		}
		return len(s.Instructions)
	}).(int)
}

type firstKeepKey struct{}
