// This file defines ManifestWithoutLockfile: a dependency manifest is
// copied for an install without the lockfile that pins its versions.
package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

// lockedManifests are the manifests whose tools have a lockfile, with the
// groups whose installs read it.
var lockedManifests = []struct {
	name   string
	groups []string
}{
	{"package.json", []string{"node"}},
	{"go.mod", []string{"go"}},
	{"Cargo.toml", []string{"cargo"}},
	{"Gemfile", []string{"bundler"}},
	{"composer.json", []string{"composer"}},
	{"Pipfile", []string{"pipenv"}},
	{"pyproject.toml", []string{"poetry", "uv"}},
}

// preferredLock is the lockfile an ecosystem's tool writes.
var preferredLock = map[analysis.Ecosystem]string{
	analysis.EcoNpm: "package-lock.json", analysis.EcoYarn: "yarn.lock", analysis.EcoPnpm: "pnpm-lock.yaml",
}

// ManifestWithoutLockfile reports a COPY or ADD source that brings a
// manifest (package.json, go.mod, Cargo.toml, Gemfile, composer.json,
// Pipfile, pyproject.toml for Poetry and uv) to a dependency install in the
// same stage when the stage copies none of its lockfiles before that
// install. A pattern such as `package*.json` copies both. When the build
// context is known and holds no lockfile, the message says so (and a go.mod
// without go.sum is then a module with no requirements, which is fine).
var ManifestWithoutLockfile = &analysis.Rule{
	Name:        "ManifestWithoutLockfile",
	Category:    analysis.Correctness,
	Severity:    analysis.SeverityWarning,
	Description: "A dependency manifest is copied for an install without its lockfile",
	URL:         "https://github.com/dockwise/dockwise/blob/main/docs/RULES.md#manifestwithoutlockfile",
	Doc: doc(`
An install that sees the manifest but not the lockfile resolves every version
again: two builds of the same commit can ship different dependencies, and
"npm ci", "yarn --frozen-lockfile" or "poetry install" fail or ignore the pins.
Copy the lockfile together with the manifest (package.json with
package-lock.json, yarn.lock or pnpm-lock.yaml; go.mod with go.sum; Cargo.toml
with Cargo.lock; Gemfile with Gemfile.lock; composer.json with composer.lock;
Pipfile with Pipfile.lock; pyproject.toml with poetry.lock or uv.lock). A
pattern like package*.json copies both.`, `
FROM golang:1.23 AS build
WORKDIR /src
COPY go.mod ./
RUN go mod download
COPY . .
RUN go build -o /app .`, `
FROM golang:1.23 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -o /app .`),
	Run: func(p *analysis.Pass) {
		for _, s := range p.File.Semantics().Stages {
			manifestWithoutLock(p, s)
		}
	},
	Stage: func(_ *analysis.Pass, s *analysis.Stage) { unlockedManifests(s) },
}

func manifestWithoutLock(p *analysis.Pass, s *analysis.Stage) {
	us := unlockedManifests(s)
	if len(us) == 0 {
		return
	}
	reportArgs(p, s, findingsWith(p.Rule.Name, s, p.Context, func() []argFinding {
		f := depFactsOf(s)
		var out []argFinding
		for _, u := range us {
			c, in := f.copies[u.copy], &f.installs[u.install]
			if msg := lockMessage(p.Context, u.manifest, path.Dir(c.src), in); msg != "" {
				out = append(out, argFinding{c.arg, msg})
			}
		}
		return out
	}))
}

// unlocked is a manifest source (an index in depFacts.copies) brought to
// an install (an index in depFacts.installs) without a lockfile.
type unlocked struct {
	copy, install int
	manifest      string
}

type unlockedKey struct{}

// unlockedManifests returns the stage's manifest sources that reach an
// install without a lockfile, computed once per stage dispatch (what the
// build context says is added when reporting).
func unlockedManifests(s *analysis.Stage) []unlocked {
	return s.Cached(unlockedKey{}, func(s *analysis.Stage) any {
		f := depFactsOf(s)
		var out []unlocked
		if len(f.installs) == 0 {
			return out
		}
		for ci, c := range f.copies {
			if c.whole {
				continue
			}
			base := path.Base(c.src)
			for _, lm := range lockedManifests {
				if !namesMatch(base, lm.name) {
					continue
				}
				ii := nextInstall(f, c.k, lm.groups)
				if ii >= 0 && !lockCopied(f, &f.installs[ii], path.Dir(c.src)) {
					out = append(out, unlocked{copy: ci, install: ii, manifest: lm.name})
				}
			}
		}
		return out
	}).([]unlocked)
}

// nextInstall returns the index of the first install after instruction k
// by a group among groups (`cargo chef cook` aside: its recipe holds the
// lockfile), or -1.
func nextInstall(f *depFacts, k int, groups []string) int {
	for i := range f.installs {
		in := &f.installs[i]
		if in.k > k && slices.Contains(groups, in.group.name) && !in.recipe {
			return i
		}
	}
	return -1
}

// lockCopied reports whether, before the install, the stage brings one of
// the install's lockfiles for a manifest in dir: a source or a bind mount
// naming it (in dir or a directory above, as workspaces keep it), a pattern
// matching it, a directory holding it, or the whole context.
func lockCopied(f *depFacts, in *installFact, dir string) bool {
	var locks []string
	for d := dir; ; d = path.Dir(d) {
		for _, l := range in.group.locks {
			locks = append(locks, path.Join(d, l))
		}
		if d == "." || d == "/" {
			break
		}
	}
	covers := func(src string) bool {
		for _, l := range locks {
			if src == l || strings.HasPrefix(l, src+"/") {
				return true
			}
			if ok, _ := path.Match(src, l); ok {
				return true
			}
		}
		return false
	}
	for _, c := range f.copies {
		if c.k >= in.k {
			break
		}
		if c.whole || covers(c.src) {
			return true
		}
	}
	for _, other := range f.installs {
		if other.k > in.k {
			break
		}
		if slices.ContainsFunc(other.mounts, covers) {
			return true
		}
	}
	return false
}

// lockMessage says what is wrong, using what the context shows; "" when
// the context shows nothing is wrong.
func lockMessage(ctx *analysis.BuildContext, manifest, dir string, in *installFact) string {
	want := preferredLock[in.eco]
	if want == "" && len(in.group.locks) > 0 {
		want = in.group.locks[0]
	}
	shown := path.Join(dir, manifest)
	effect := "which then resolves versions anew"
	switch {
	case in.group.name == "go" && !in.explicit:
		effect = "which fails with missing go.sum entries"
	case in.group.name == "go":
		effect = "so the modules it downloads are not checked against the committed checksums"
	case in.strict:
		effect = "which fails without it"
	}
	if _, ok := ctx.Scan(dir).Lookup(manifest); !ok {
		// The context is unknown, or not the one the file is built from.
		return fmt.Sprintf("%s is copied without its lockfile before %s, %s; copy %s with it", shown, in.label, effect, want)
	}
	for d := dir; ; d = path.Dir(d) {
		sc := ctx.Scan(d)
		for _, l := range in.group.locks {
			if _, ok := sc.Lookup(l); ok {
				return fmt.Sprintf("%s is copied without %s before %s, %s; copy %s with it",
					shown, path.Join(d, l), in.label, effect, path.Join(d, l))
			}
		}
		if d == "." || d == "/" {
			break
		}
	}
	if in.group.name == "go" {
		return "" // no go.sum: a module without requirements
	}
	effect = "resolves versions anew on every build"
	if in.strict {
		effect = "fails"
	}
	return fmt.Sprintf("%s is copied without a lockfile and the build context has none, so %s %s; generate %s, commit it and copy it with %s",
		shown, in.label, effect, want, manifest)
}
