// This file defines UnlockedDependencyInstall: a dependency install that
// may resolve versions anew instead of installing what the lockfile says.
package rules

import (
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/dockwise/dockwise/analysis"
)

// UnlockedDependencyInstall looks at the install commands of each RUN
// (npm, yarn, pnpm, bundler, composer, cargo) and their flags, the
// variables that lock installs (CI, BUNDLE_FROZEN, ...), and for yarn the
// build context, which tells yarn 1 from yarn 2 and later.
var UnlockedDependencyInstall = &analysis.Rule{
	Name:        "UnlockedDependencyInstall",
	Category:    analysis.Correctness,
	Severity:    analysis.SeverityWarning,
	Description: "A dependency install may resolve new versions instead of installing the lockfile",
	URL:         docURL("UnlockedDependencyInstall"),
	Doc: doc(`
A lockfile pins every dependency to the version that was tested. Some
install commands treat it as a hint: when package.json (or the Gemfile,
Cargo.toml, ...) and the lockfile disagree, they resolve versions anew and
rewrite the lockfile inside the image, so the image holds dependencies
nobody tested, and two builds of the same commit can differ.

Use the command or flag that installs exactly the lockfile and fails when it
is out of date: npm ci instead of npm install; yarn install --frozen-lockfile
(yarn 1) or --immutable (yarn 2 and later); pnpm install --frozen-lockfile;
bundle config set frozen true (or BUNDLE_FROZEN=true) before bundle install;
composer install instead of composer update; cargo build --locked and cargo
install --locked. Installing a named tool (npm install -g pnpm@9) is not
what this rule is about.`, `
FROM node:20
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install`, `
FROM node:20
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci`),
	Run:   unlockedDependencyInstall,
	Stage: findingsAhead(computeUnlocked),
}

func unlockedDependencyInstall(p *analysis.Pass) {
	for _, s := range p.File.Semantics().Stages {
		for _, f := range nonWindowsFindings(p.Rule, s, computeUnlocked) {
			msg := ""
			if dir, ok := strings.CutPrefix(f.aux, "yarn:"); ok {
				var quiet bool
				msg, quiet = yarnMessage(p.Context, dir, f.msg)
				if quiet {
					continue
				}
			}
			f.report(p, s, msg)
		}
	}
}

var npmInstallAliases = map[string]bool{"install": true, "i": true, "in": true, "ins": true, "inst": true,
	"insta": true, "instal": true, "isnt": true, "isnta": true, "isntal": true, "isntall": true, "add": true}

func computeUnlocked(fs *findingSink) {
	s := fs.s
	bundleFrozen := false
	for p := s.Parent; p != nil && !bundleFrozen; p = p.Parent {
		for _, cmds := range p.Runs() {
			for i := range cmds {
				bundleFrozen = bundleFrozen || setsBundleFrozen(&cmds[i])
			}
		}
	}
	for in, cmds := range s.Runs() {
		env := runEnv{s: s, in: in}
		for i := range cmds {
			c := &cmds[i]
			if setsBundleFrozen(c) {
				bundleFrozen = true
			}
			if c.Subst || c.Conditional {
				continue
			}
			tool := c.Name
			if c.Sub != "" {
				tool += " " + c.Sub
			}
			add := func(msg, aux string) { fs.add(in, c.Prog.Start, c.SubEnd, msg, aux) }
			switch c.Eco {
			case analysis.EcoNpm:
				if c.Op != analysis.OpInstallDeps || !npmInstallAliases[c.Sub] {
					continue
				}
				if _, g := c.Flag("-g", "--global"); g {
					continue
				}
				add(tool+" resolves versions anew and may install other versions than package-lock.json pins; use `npm ci`, which installs exactly the lockfile and fails when it is out of date", "")
			case analysis.EcoYarn:
				if c.Op != analysis.OpInstallDeps || c.Sub != "" && c.Sub != "install" {
					continue
				}
				if _, ok := c.Flag("--frozen-lockfile", "--immutable"); ok {
					continue
				}
				if anySet(c, env, "CI", "YARN_FROZEN_LOCKFILE", "YARN_ENABLE_IMMUTABLE_INSTALLS") {
					continue
				}
				dir := c.Dir
				if c.DirUnknown || strings.HasPrefix(dir, "/") {
					dir = ""
				}
				add(tool+" can rewrite yarn.lock instead of failing when it is out of date", "yarn:"+dir)
			case analysis.EcoPnpm:
				if c.Op != analysis.OpInstallDeps || c.Sub != "install" && c.Sub != "i" {
					continue
				}
				if w, ok := c.Flag("--frozen-lockfile"); ok && w.Text != "--frozen-lockfile=false" {
					continue
				}
				if _, ok := c.Flag("--offline"); ok {
					continue
				}
				if anySet(c, env, "CI", "npm_config_frozen_lockfile", "NPM_CONFIG_FROZEN_LOCKFILE") {
					continue
				}
				add(tool+" can rewrite pnpm-lock.yaml instead of failing when it is out of date; add `--frozen-lockfile`", "")
			case analysis.EcoBundler:
				if c.Name == "gem" || c.Op != analysis.OpInstallDeps || c.Sub != "" && c.Sub != "install" || bundleFrozen {
					continue
				}
				if _, ok := c.Flag("--frozen", "--deployment"); ok {
					continue
				}
				if anySet(c, env, "BUNDLE_FROZEN", "BUNDLE_DEPLOYMENT") {
					continue
				}
				add(tool+" can rewrite Gemfile.lock instead of failing when it is out of date; run `bundle config set frozen true` before it (or set `ENV BUNDLE_FROZEN=true`)", "")
			case analysis.EcoComposer:
				if c.Op != analysis.OpUpgradeDeps {
					continue
				}
				add(tool+" ignores composer.lock and installs the newest versions the constraints allow; use `composer install`, which installs the lockfile", "")
			case analysis.EcoCargo:
				if c.Sub != "build" && c.Sub != "b" && c.Sub != "install" {
					continue
				}
				if _, ok := c.Flag("--locked", "--frozen"); ok {
					continue
				}
				if c.Op == analysis.OpInstallPkgs && len(c.Targets) > 0 {
					add("cargo install "+c.Targets[0].Text+" builds with the newest dependency versions instead of the crate's Cargo.lock; add `--locked`", "")
				} else if CargoLockLeftOut(s, in) {
					// --locked without Cargo.lock fails the build: say what
					// comes first.
					add(tool+" can update Cargo.lock instead of failing when it is out of date; copy Cargo.lock in with Cargo.toml, then add `--locked`", "")
				} else {
					add(tool+" can update Cargo.lock instead of failing when it is out of date; add `--locked`", "")
				}
			}
		}
	}
}

// CargoLockLeftOut reports whether the cargo command of the RUN in (of
// stage s) finds a Cargo.toml without its Cargo.lock: the stage before
// it, or a stage it is built FROM, copies Cargo.toml but not the lockfile
// (itself, a pattern or directory holding it, or the whole context), and
// the command does not bind-mount it: ManifestWithoutLockfile's test
// (lockCopied), along the FROM chain.
func CargoLockLeftOut(s *analysis.Stage, in *analysis.Instruction) bool {
	k := stageIndex(s, in)
	cargo := depGroups[slices.IndexFunc(depGroups, func(g *depGroup) bool { return g.name == "cargo" })]
	chain := s.Chain()
	// What comes before the command: all of a parent stage, the stage's
	// instructions before in.
	before := func(i int) int {
		if i == 0 {
			return k
		}
		return len(chain[i].Instructions)
	}
	var dirs []string
	for i, t := range chain {
		for _, c := range depFactsOf(t).copies {
			if c.k >= before(i) {
				break
			}
			if c.whole {
				return false
			}
			if path.Base(c.src) == "Cargo.toml" {
				dirs = append(dirs, path.Dir(c.src))
			}
		}
	}
	for _, dir := range dirs {
		locked := false
		for i, t := range chain {
			if lockCopied(depFactsOf(t), &installFact{k: before(i), group: cargo}, dir) {
				locked = true
				break
			}
		}
		if !locked {
			return true
		}
	}
	return false
}

// anySet reports whether one of the variables is set to something other
// than false (or to something unknown) for the command.
func anySet(c *analysis.Command, env runEnv, names ...string) bool {
	for _, n := range names {
		if truthy(env.get(c, n)) != 0 {
			return true
		}
	}
	return false
}

// setsBundleFrozen reports whether a command configures bundler to
// install frozen: `bundle config [set] [--local|--global] frozen true`.
func setsBundleFrozen(c *analysis.Command) bool {
	if c.Name != "bundle" || len(c.Args) < 2 || c.Args[0].Text != "config" {
		return false
	}
	key := false
	for _, a := range c.Args[1:] {
		switch strings.ToLower(a.Text) {
		case "frozen", "deployment", "bundle_frozen", "bundle_deployment":
			key = true
		case "true", "1", "yes":
			if key {
				return true
			}
		}
	}
	return false
}

// yarnVersion tells from the build context which yarn a project uses: 1,
// 2 (for 2 and later) or 0 when it cannot tell. immutable reports a
// .yarnrc.yml that makes installs immutable.
func yarnVersion(ctx *analysis.BuildContext, dir string) (v int, immutable bool) {
	if ctx == nil || ctx.Dir == "" {
		return 0, false
	}
	read := func(rel string, n int) string {
		f, err := os.Open(filepath.Join(ctx.Dir, filepath.FromSlash(rel)))
		if err != nil {
			return ""
		}
		defer f.Close()
		buf := make([]byte, n)
		k, _ := f.Read(buf)
		return string(buf[:k])
	}
	for _, d := range []string{dir, ""} {
		if d == "." {
			d = ""
		}
		at := func(name string) string {
			if d == "" {
				return name
			}
			return d + "/" + name
		}
		if rc := read(at(".yarnrc.yml"), 64<<10); rc != "" {
			for _, line := range strings.Split(rc, "\n") {
				k, val, _ := strings.Cut(line, ":")
				if strings.TrimSpace(k) == "enableImmutableInstalls" && strings.Trim(strings.TrimSpace(val), `"'`) == "true" {
					immutable = true
				}
			}
		}
		if pj := read(at("package.json"), 1<<20); pj != "" {
			var m struct {
				PackageManager string `json:"packageManager"`
			}
			if json.Unmarshal([]byte(pj), &m) == nil {
				if ver, ok := strings.CutPrefix(m.PackageManager, "yarn@"); ok {
					if strings.HasPrefix(ver, "1.") {
						return 1, immutable
					}
					if ver != "" && ver[0] >= '2' && ver[0] <= '9' {
						return 2, immutable
					}
				}
			}
		}
		if lock := read(at("yarn.lock"), 512); lock != "" {
			switch {
			case strings.Contains(lock, "yarn lockfile v1"):
				return 1, immutable
			case strings.Contains(lock, "__metadata:"):
				return 2, immutable
			}
		}
		if ctx.Exists(at(".yarnrc.yml")) {
			return 2, immutable
		}
	}
	return 0, immutable
}

// yarnVersions memoizes yarnVersion: the rule runs after every keystroke
// and the context's files change far less often than that.
var yarnVersions struct {
	sync.Mutex
	m map[yarnKey][2]int
}

type yarnKey struct {
	ctx *analysis.BuildContext
	dir string
}

func cachedYarnVersion(ctx *analysis.BuildContext, dir string) (int, bool) {
	k := yarnKey{ctx, dir}
	yarnVersions.Lock()
	r, ok := yarnVersions.m[k]
	yarnVersions.Unlock()
	if ok {
		return r[0], r[1] == 1
	}
	v, imm := yarnVersion(ctx, dir)
	r = [2]int{v, 0}
	if imm {
		r[1] = 1
	}
	yarnVersions.Lock()
	if yarnVersions.m == nil || len(yarnVersions.m) > 256 {
		yarnVersions.m = map[yarnKey][2]int{}
	}
	yarnVersions.m[k] = r
	yarnVersions.Unlock()
	return v, imm
}

// yarnMessage completes a yarn finding's message with the flag for the
// project's yarn; quiet when its .yarnrc.yml makes installs immutable.
func yarnMessage(ctx *analysis.BuildContext, dir, msg string) (string, bool) {
	v, immutable := cachedYarnVersion(ctx, dir)
	if immutable {
		return "", true
	}
	switch v {
	case 1:
		return msg + "; the project uses yarn 1, add `--frozen-lockfile`", false
	case 2:
		return msg + "; the project uses yarn 2 or later, add `--immutable`", false
	}
	return msg + "; add `--frozen-lockfile` (yarn 1) or `--immutable` (yarn 2 and later)", false
}
