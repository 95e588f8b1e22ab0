// This file classifies commands: which package manager or build tool a
// command is, and whether it installs dependencies from a manifest,
// installs named packages, builds, cleans up, refreshes a package index,
// prunes or runs a script. Flags are read with Command.Flag.
package analysis

import (
	"strings"
)

// Ecosystem is the package manager or tool family of a command.
type Ecosystem string

const (
	EcoNone     Ecosystem = ""
	EcoNpm      Ecosystem = "npm"
	EcoYarn     Ecosystem = "yarn"
	EcoPnpm     Ecosystem = "pnpm"
	EcoPip      Ecosystem = "pip" // pip, pip3, python -m pip
	EcoPipenv   Ecosystem = "pipenv"
	EcoPoetry   Ecosystem = "poetry"
	EcoUv       Ecosystem = "uv"
	EcoGo       Ecosystem = "go"
	EcoCargo    Ecosystem = "cargo"
	EcoMaven    Ecosystem = "maven"   // mvn, mvnw, mvnd
	EcoGradle   Ecosystem = "gradle"  // gradle, gradlew
	EcoBundler  Ecosystem = "bundler" // bundle, gem
	EcoComposer Ecosystem = "composer"
	EcoDotnet   Ecosystem = "dotnet"
	EcoApt      Ecosystem = "apt" // apt-get, apt, aptitude
	EcoApk      Ecosystem = "apk"
	EcoDnf      Ecosystem = "dnf"  // dnf, yum, microdnf, tdnf
	EcoNode     Ecosystem = "node" // JavaScript build tools: tsc, ng, vite, webpack, next, ...
	EcoMake     Ecosystem = "make" // native toolchain: make, cmake, ninja, gcc, g++, clang, configure
)

// Op is what a command does.
type Op uint8

const (
	OpNone Op = iota
	// OpInstallDeps installs or downloads the dependencies a manifest or
	// lockfile lists: npm ci, npm install (no package), yarn, pnpm
	// install, pip install -r / . / -e, pipenv install (no package),
	// poetry install, uv sync, uv pip install -r, go mod download, bundle
	// install, composer install, mvn dependency:go-offline, gradle
	// dependencies, cargo fetch, dotnet restore.
	OpInstallDeps
	// OpInstallPkgs installs named packages: npm install -g pnpm@9, yarn
	// add, pip install flask, go install x@v, cargo install x, gem
	// install, apt-get install curl, apk add, dnf install, apt-get upgrade.
	OpInstallPkgs
	// OpUpgradeDeps resolves versions anew and rewrites the lock:
	// composer update, npm update, yarn upgrade, poetry update/lock, uv
	// lock, cargo update, bundle update, go get -u, go mod tidy.
	OpUpgradeDeps
	// OpBuild compiles or bundles: go build, cargo build, mvn package,
	// gradle build, npm run build, tsc, ng build, vite build, dotnet
	// publish, make, gcc, ...
	OpBuild
	// OpCleanup deletes files or caches: rm, find -delete, apt-get clean,
	// npm cache clean, yarn cache clean, pip cache purge, dnf clean, go
	// clean -cache, ...
	OpCleanup
	// OpRemovePkgs removes packages: apk del, apt-get remove/purge/
	// autoremove, dnf remove, npm uninstall, pip uninstall.
	OpRemovePkgs
	// OpUpdate refreshes a package index: apt-get update, apk update, dnf
	// makecache.
	OpUpdate
	// OpPrune removes development dependencies: npm prune, pnpm prune.
	OpPrune
	// OpRun runs a project script or program: npm start, npm run test,
	// yarn <script>, go run, dotnet run.
	OpRun
)

func (o Op) String() string {
	switch o {
	case OpNone:
		return "none"
	case OpInstallDeps:
		return "install-deps"
	case OpInstallPkgs:
		return "install-pkgs"
	case OpUpgradeDeps:
		return "upgrade-deps"
	case OpBuild:
		return "build"
	case OpCleanup:
		return "cleanup"
	case OpRemovePkgs:
		return "remove-pkgs"
	case OpUpdate:
		return "update"
	case OpPrune:
		return "prune"
	case OpRun:
		return "run"
	}
	return "Op(?)"
}

// Flags that take a value, per tool (a flag not listed is taken as a
// boolean unless written `--flag=value`).
var (
	npmValue = []string{"--prefix", "--cache", "--registry", "--userconfig", "--globalconfig", "--loglevel",
		"-w", "--workspace", "--omit", "--include", "--only", "--tag", "--fetch-retries", "--fetch-timeout",
		"--fetch-retry-mintimeout", "--fetch-retry-maxtimeout", "--install-strategy", "--script-shell", "-C"}
	yarnValue = []string{"--cwd", "--modules-folder", "--cache-folder", "--network-timeout", "--mutex",
		"--registry", "--network-concurrency", "--global-folder", "--link-folder", "--use-yarnrc", "--mode"}
	pnpmValue = []string{"--filter", "-F", "-C", "--dir", "--store-dir", "--virtual-store-dir", "-w",
		"--workspace", "--reporter", "--registry", "--loglevel", "--network-concurrency", "--child-concurrency",
		"--modules-dir", "--lockfile-dir", "--config", "--resolution-mode", "--node-linker"}
	pipValue = []string{"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-t", "--target",
		"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--prefix", "--root", "--src",
		"--cache-dir", "--progress-bar", "--trusted-host", "--platform", "--python-version", "--implementation",
		"--abi", "--no-binary", "--only-binary", "--upgrade-strategy", "--global-option", "--config-settings",
		"--report", "--log", "--timeout", "--retries", "--proxy", "--cert", "--client-cert", "--exists-action",
		"--python", "-w", "--wheel-dir", "-d", "--dest", "--build-option", "--install-option"}
	uvValue = append([]string{"-p", "--python", "--index", "--default-index", "--project", "--directory",
		"--package", "--extra", "--group", "--only-group", "--no-group", "-o", "--output-file",
		"--keyring-provider", "--resolution", "--prerelease", "--python-platform", "--exclude-newer",
		"--link-mode", "--with", "--from", "--no-install-package"}, pipValue...)
	goValue = []string{"-o", "-ldflags", "-gcflags", "-asmflags", "-tags", "-mod", "-modfile", "-p", "-pkgdir",
		"-toolexec", "-installsuffix", "-buildmode", "-compiler", "-gccgoflags", "-overlay", "-pgo", "-C",
		"-exec", "-run", "-bench", "-timeout", "-coverprofile", "-count", "-covermode", "-coverpkg"}
	cargoValue = []string{"-p", "--package", "--bin", "--example", "--test", "--bench", "--target",
		"--target-dir", "--features", "-F", "-j", "--jobs", "--profile", "--manifest-path", "--root", "--path",
		"--version", "--vers", "--git", "--branch", "--tag", "--rev", "--registry", "--index", "--color",
		"--message-format", "-Z", "--config", "--lockfile-path", "--recipe-path"}
	mvnValue = []string{"-f", "--file", "-s", "--settings", "-gs", "--global-settings", "-t", "--toolchains",
		"-P", "--activate-profiles", "-pl", "--projects", "-rf", "--resume-from", "-T", "--threads", "-l",
		"--log-file", "-b", "--builder", "-D", "--define"}
	gradleValue = []string{"-p", "--project-dir", "-b", "--build-file", "-c", "--settings-file", "-g",
		"--gradle-user-home", "-I", "--init-script", "-x", "--exclude-task", "--console", "--warning-mode",
		"--priority", "--include-build", "-M", "--write-verification-metadata", "--project-cache-dir", "-F",
		"--dependency-verification", "-D", "-P"}
	bundleValue   = []string{"-j", "--jobs", "--retry", "--path", "--gemfile", "--without", "--with", "--binstubs", "--trust-policy"}
	gemValue      = []string{"-v", "--version", "-i", "--install-dir", "-n", "--bindir", "--source", "--platform"}
	composerValue = []string{"-d", "--working-dir"}
	dotnetValue   = []string{"-c", "--configuration", "-o", "--output", "-r", "--runtime", "-f", "--framework",
		"-s", "--source", "--packages", "--version-suffix", "-v", "--verbosity", "-a", "--arch", "--os",
		"--version", "--tool-path", "--configfile", "--add-source"}
	aptValue = []string{"-o", "--option", "-c", "--config-file", "-t", "--target-release", "-a", "--host-architecture"}
	apkValue = []string{"-t", "--virtual", "-X", "--repository", "--repositories-file", "-p", "--root", "--arch",
		"--cache-dir", "--keys-dir", "--cache-max-age", "--timeout"}
	dnfValue = []string{"-x", "--exclude", "--enablerepo", "--disablerepo", "--repo", "--repoid", "--installroot",
		"--releasever", "--repofrompath", "-c", "--config", "--setopt", "--forcearch", "-d", "--debuglevel", "-e",
		"--errorlevel"}
)

// setKind sets the command's Eco, Op, Sub and Targets.
func setKind(c *Command) {
	c.SubStart, c.SubEnd = c.Prog.Start, c.Prog.End
	if !c.Prog.Literal {
		return
	}
	n := c.Name
	if rest, ok := strings.CutPrefix(n, "xx-"); ok {
		// tonistiigi/xx's cross-compilation wrappers: xx-apk, xx-apt-get, xx-go
		switch rest {
		case "apk", "apt-get", "apt", "go", "cargo":
			n = rest
		}
	}
	switch {
	case n == "npm":
		kindNpm(c)
	case n == "yarn" || n == "yarnpkg":
		kindYarn(c)
	case n == "pnpm":
		kindPnpm(c)
	case isPip(n):
		kindPip(c)
	case n == "pipenv":
		kindPipenv(c)
	case n == "poetry":
		kindPoetry(c)
	case n == "uv":
		kindUv(c)
	case n == "go":
		kindGo(c)
	case n == "cargo":
		kindCargo(c)
	case n == "mvn" || n == "mvnw" || n == "mvnd" || n == "mvnw.cmd":
		kindMaven(c)
	case n == "gradle" || n == "gradlew" || n == "gradlew.bat":
		kindGradle(c)
	case n == "bundle" || n == "bundler":
		kindBundle(c)
	case n == "gem":
		kindGem(c)
	case n == "composer" || n == "composer.phar":
		kindComposer(c)
	case n == "dotnet":
		kindDotnet(c)
	case n == "apt-get" || n == "apt" || n == "aptitude":
		kindApt(c)
	case n == "apk":
		kindApk(c)
	case n == "dnf" || n == "yum" || n == "microdnf" || n == "tdnf" || n == "dnf5":
		kindDnf(c)
	case n == "rm":
		c.Op = OpCleanup
		c.Targets = c.operandsFrom(0)
	case n == "find":
		kindFind(c)
	default:
		if kindNodeTool(c) {
			return
		}
		kindNative(c)
	}
}

func isPip(n string) bool {
	if !strings.HasPrefix(n, "pip") {
		return false
	}
	for _, r := range n[3:] {
		if r != '.' && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// operandIdx returns the indices of the operands from Args[from:], with
// c.valueFlags' values skipped.
func (c *Command) operandIdx(from int) []int {
	var out []int
	dashdash := false
	for i := from; i < len(c.Args); i++ {
		a := c.Args[i]
		if !dashdash && a.Literal && a.Text == "--" {
			dashdash = true
			continue
		}
		if !dashdash && len(a.Text) > 1 && a.Text[0] == '-' {
			if !strings.Contains(a.Text, "=") && takesValue(c.valueFlags, a.Text) {
				i++
			}
			continue
		}
		out = append(out, i)
	}
	return out
}

// setSub records the subcommand words.
func (c *Command) setSub(idx ...int) {
	c.subIdx = idx
	if len(idx) == 0 {
		return
	}
	parts := make([]string, len(idx))
	for k, i := range idx {
		parts[k] = c.Args[i].Text
	}
	c.Sub = strings.Join(parts, " ")
	c.SubStart, c.SubEnd = c.Args[idx[0]].Start, c.Args[idx[len(idx)-1]].End
}

// words returns the Args at the indices.
func (c *Command) words(idx []int) []Word {
	if len(idx) == 0 {
		return nil
	}
	out := make([]Word, len(idx))
	for k, i := range idx {
		out[k] = c.Args[i]
	}
	return out
}

// subOf returns the text of the operand at ops[k], or "".
func (c *Command) subOf(ops []int, k int) string {
	if k < len(ops) && c.Args[ops[k]].Literal {
		return c.Args[ops[k]].Text
	}
	return ""
}

// isBuildScript reports whether a package.json script name is a build.
func isBuildScript(s string) bool {
	s = strings.ToLower(s)
	for _, p := range []string{"build", "compile", "dist", "bundle"} {
		if strings.HasPrefix(s, p) || strings.HasSuffix(s, ":"+p) || strings.HasSuffix(s, "-"+p) {
			return true
		}
	}
	return false
}

// script classifies `<pm> run <script>` or `<pm> <script>`.
func (c *Command) script(idx ...int) {
	c.setSub(idx...)
	if isBuildScript(c.Args[idx[len(idx)-1]].Text) {
		c.Op = OpBuild
	} else {
		c.Op = OpRun
	}
}

// subKind is what a subcommand does.
type subKind struct {
	op Op
	// targets: the operands after the subcommand are the packages it names.
	targets bool
	// depsOrPkgs: OpInstallPkgs of the packages named after it, or
	// OpInstallDeps (the project's dependencies) when none are.
	depsOrPkgs bool
}

// subTable maps a tool's subcommands, of one word ("install") or two
// ("cache clean"), to what they do.
type subTable map[string]subKind

type subGroup struct {
	kind  subKind
	names []string
}

func subs(groups ...subGroup) subTable {
	t := subTable{}
	for _, g := range groups {
		for _, n := range g.names {
			t[n] = g.kind
		}
	}
	return t
}

// subOp: the subcommands do op. subOpPkgs: they do op on the packages
// named after them. subInstall: they install the packages named after
// them, or the project's dependencies when none are.
func subOp(op Op, names ...string) subGroup {
	return subGroup{subKind{op: op}, names}
}

func subOpPkgs(op Op, names ...string) subGroup {
	return subGroup{subKind{op: op, targets: true}, names}
}

func subInstall(names ...string) subGroup {
	return subGroup{subKind{depsOrPkgs: true}, names}
}

// classify sets Sub, Op and Targets from the entry of t for the first two
// operands or, failing that, the first, and reports whether there was one.
func (c *Command) classify(ops []int, t subTable) bool {
	for n := min(len(ops), 2); n > 0; n-- {
		key := c.subOf(ops, 0)
		if n == 2 {
			key += " " + c.subOf(ops, 1)
		}
		if k, ok := t[key]; ok {
			c.setSub(ops[:n]...)
			switch {
			case k.depsOrPkgs:
				if pkgs := c.words(ops[n:]); len(pkgs) > 0 {
					c.Op, c.Targets = OpInstallPkgs, pkgs
				} else {
					c.Op = OpInstallDeps
				}
			case k.targets:
				c.Op, c.Targets = k.op, c.words(ops[n:])
			default:
				c.Op = k.op
			}
			return true
		}
	}
	return false
}

var npmSubs = subs(
	subOp(OpInstallDeps, "ci", "clean-install", "ic", "install-clean", "isntall-clean"),
	subInstall("install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal", "isntall", "add"),
	subOp(OpCleanup, "cache clean", "cache clear", "cache rm"),
	subOp(OpPrune, "prune"),
	subOp(OpUpgradeDeps, "update", "up", "upgrade", "udpate"),
	subOpPkgs(OpRemovePkgs, "uninstall", "unlink", "remove", "rm", "r", "un"),
	subOp(OpRun, "start", "test", "t", "tst", "restart", "stop"),
)

func kindNpm(c *Command) {
	c.Eco, c.valueFlags = EcoNpm, npmValue
	ops := c.operandIdx(0)
	switch c.subOf(ops, 0) {
	case "run", "run-script", "rum", "urn":
		if len(ops) > 1 {
			c.script(ops[0], ops[1])
		}
	default:
		c.classify(ops, npmSubs)
	}
}

// yarnCommands are yarn's own subcommands that are not scripts.
var yarnCommands = map[string]bool{
	"autoclean": true, "config": true, "set": true, "policies": true, "plugin": true, "info": true, "why": true,
	"list": true, "version": true, "versions": true, "login": true, "logout": true, "init": true, "create": true,
	"link": true, "unlink": true, "import": true, "licenses": true, "pack": true, "publish": true, "tag": true,
	"team": true, "owner": true, "node": true, "bin": true, "dedupe": true, "constraints": true, "npm": true,
	"patch": true, "patch-commit": true, "rebuild": true, "search": true, "stage": true, "unplug": true,
	"explain": true, "generate-lock-entry": true, "check": true, "audit": true, "outdated": true, "help": true,
	"access": true, "self-update": true, "global": true, "workspaces": true, "workspace": true, "cache": true,
	"dlx": true, "exec": true, "up": true, "upgrade": true, "upgrade-interactive": true, "remove": true,
	"add": true, "install": true, "run": true, "prune": true,
}

var yarnSubs = subs(
	subOp(OpInstallDeps, "install", "workspaces focus"),
	subOpPkgs(OpInstallPkgs, "add", "global add"),
	subOpPkgs(OpRemovePkgs, "remove", "global remove"),
	subOp(OpUpgradeDeps, "up", "upgrade", "upgrade-interactive"),
	subOp(OpCleanup, "cache clean", "cache clear"),
)

func kindYarn(c *Command) {
	c.Eco, c.valueFlags = EcoYarn, yarnValue
	ops := c.operandIdx(0)
	if len(ops) == 0 {
		if _, ok := c.Flag("--version", "-v", "--help", "-h"); !ok {
			c.Op = OpInstallDeps
		}
		return
	}
	if c.classify(ops, yarnSubs) {
		return
	}
	sub := c.subOf(ops, 0)
	switch sub {
	case "run":
		if len(ops) > 1 {
			c.script(ops[0], ops[1])
		}
	case "workspace":
		if len(ops) > 2 {
			if s := c.subOf(ops, 2); s == "run" && len(ops) > 3 {
				c.script(ops[0], ops[1], ops[2], ops[3])
			} else if !yarnCommands[s] {
				c.script(ops[0], ops[1], ops[2])
			}
		}
	default:
		if yarnCommands[sub] || sub == "" {
			return
		}
		// `yarn build` runs a script, `yarn tsc` a binary.
		c.script(ops[0])
		if isNodeBuildTool(sub) {
			c.Op = OpBuild
		}
	}
}

var pnpmCommands = map[string]bool{
	"config": true, "env": true, "setup": true, "store": true, "server": true, "why": true, "list": true,
	"ls": true, "outdated": true, "audit": true, "licenses": true, "link": true, "unlink": true, "import": true,
	"rebuild": true, "pack": true, "publish": true, "init": true, "create": true, "patch": true,
	"patch-commit": true, "root": true, "bin": true, "help": true, "doctor": true, "recursive": true,
	"exec": true, "dlx": true, "add": true, "install": true, "i": true, "fetch": true, "prune": true,
	"deploy": true, "update": true, "up": true, "upgrade": true, "remove": true, "rm": true, "uninstall": true,
	"un": true, "run": true, "run-script": true, "install-test": true, "it": true, "dedupe": true, "cat-file": true,
	"cat-index": true, "find-hash": true, "self-update": true, "approve-builds": true, "ignored-builds": true,
}

var pnpmSubs = subs(
	subInstall("install", "i"),
	subOpPkgs(OpInstallPkgs, "add"),
	subOp(OpInstallDeps, "fetch", "deploy"),
	subOp(OpPrune, "prune"),
	subOp(OpCleanup, "store prune"),
	subOp(OpUpgradeDeps, "update", "up", "upgrade"),
	subOpPkgs(OpRemovePkgs, "remove", "rm", "uninstall", "un"),
)

func kindPnpm(c *Command) {
	c.Eco, c.valueFlags = EcoPnpm, pnpmValue
	ops := c.operandIdx(0)
	if c.classify(ops, pnpmSubs) {
		return
	}
	sub := c.subOf(ops, 0)
	switch sub {
	case "":
		return
	case "run", "run-script":
		if len(ops) > 1 {
			c.script(ops[0], ops[1])
		}
	case "recursive":
		if s := c.subOf(ops, 1); s != "" && !pnpmCommands[s] {
			c.script(ops[0], ops[1])
		} else if s == "run" && len(ops) > 2 {
			c.script(ops[0], ops[1], ops[2])
		}
	default:
		if pnpmCommands[sub] {
			return
		}
		c.script(ops[0])
		if isNodeBuildTool(sub) {
			c.Op = OpBuild
		}
	}
}

// isLocalPath reports whether a pip/uv operand names a local project or
// archive rather than a package on an index.
func isLocalPath(s string) bool {
	return s == "." || s == ".." || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") ||
		strings.HasPrefix(s, "/") || strings.HasSuffix(s, ".whl") || strings.HasSuffix(s, ".tar.gz") ||
		strings.HasSuffix(s, ".zip") || strings.HasPrefix(s, ".[") || strings.HasPrefix(s, "file:")
}

// pipInstall classifies an install-like pip or uv subcommand whose
// operands start at ops[k].
func (c *Command) pipInstall(ops []int, k int) {
	var named []Word
	local := false
	for _, w := range c.words(ops[k:]) {
		if w.Literal && isLocalPath(w.Text) {
			local = true
			continue
		}
		named = append(named, w)
	}
	_, req := c.Flag("-r", "--requirement", "-e", "--editable")
	switch {
	case req || local:
		c.Op, c.Targets = OpInstallDeps, named
	case len(named) > 0:
		c.Op, c.Targets = OpInstallPkgs, named
	}
}

var pipSubs = subs(
	subOpPkgs(OpRemovePkgs, "uninstall"),
	subOp(OpCleanup, "cache purge", "cache remove"),
)

func kindPip(c *Command) {
	c.Eco, c.valueFlags = EcoPip, pipValue
	ops := c.operandIdx(0)
	switch c.subOf(ops, 0) {
	case "install", "download":
		c.setSub(ops[0])
		c.pipInstall(ops, 1)
	case "wheel":
		c.setSub(ops[0])
		if _, ok := c.Flag("-r", "--requirement"); ok {
			c.Op = OpInstallDeps
		} else {
			c.Op = OpBuild
		}
	default:
		c.classify(ops, pipSubs)
	}
}

var pipenvSubs = subs(
	subInstall("install"),
	subOp(OpInstallDeps, "sync"),
	subOp(OpUpgradeDeps, "update", "upgrade", "lock"),
	subOpPkgs(OpRemovePkgs, "uninstall"),
	subOp(OpRun, "run"),
)

func kindPipenv(c *Command) {
	c.Eco = EcoPipenv
	c.valueFlags = []string{"--python", "--pypi-mirror", "-r", "--requirements", "--categories"}
	c.classify(c.operandIdx(0), pipenvSubs)
}

var poetrySubs = subs(
	subOp(OpInstallDeps, "install", "sync"),
	subOpPkgs(OpInstallPkgs, "add"),
	subOp(OpUpgradeDeps, "update", "lock"),
	subOp(OpBuild, "build"),
	subOpPkgs(OpRemovePkgs, "remove"),
	subOp(OpCleanup, "cache clear"),
	subOp(OpRun, "run"),
)

func kindPoetry(c *Command) {
	c.Eco = EcoPoetry
	c.valueFlags = []string{"--only", "--with", "--without", "-E", "--extras", "-C", "--directory", "-P", "--project", "-f", "--format", "-o", "--output", "--source", "-G", "--group"}
	c.classify(c.operandIdx(0), poetrySubs)
}

var uvSubs = subs(
	subOp(OpInstallDeps, "sync", "pip sync"),
	subOpPkgs(OpRemovePkgs, "pip uninstall", "remove"),
	subOpPkgs(OpInstallPkgs, "add", "tool install", "python install"),
	subOp(OpUpgradeDeps, "lock"),
	subOp(OpBuild, "build"),
	subOp(OpCleanup, "cache clean", "cache prune"),
	subOp(OpRun, "run"),
)

func kindUv(c *Command) {
	c.Eco, c.valueFlags = EcoUv, uvValue
	ops := c.operandIdx(0)
	if c.subOf(ops, 0) == "pip" && c.subOf(ops, 1) == "install" {
		c.setSub(ops[0], ops[1])
		c.pipInstall(ops, 2)
		return
	}
	c.classify(ops, uvSubs)
}

var goSubs = subs(
	subOp(OpBuild, "build"),
	subOp(OpInstallDeps, "mod download", "mod vendor"),
	subOp(OpUpgradeDeps, "mod tidy"),
	subOp(OpRun, "run"),
)

func kindGo(c *Command) {
	c.Eco, c.valueFlags = EcoGo, goValue
	ops := c.operandIdx(0)
	switch c.subOf(ops, 0) {
	case "install":
		c.setSub(ops[0])
		var versioned []Word
		for _, w := range c.words(ops[1:]) {
			if strings.Contains(w.Text, "@") {
				versioned = append(versioned, w)
			}
		}
		if len(versioned) > 0 {
			c.Op, c.Targets = OpInstallPkgs, versioned
		} else {
			c.Op = OpBuild
		}
	case "get":
		c.setSub(ops[0])
		if _, ok := c.Flag("-u", "-u=patch"); ok {
			c.Op = OpUpgradeDeps
		} else {
			c.Op, c.Targets = OpInstallPkgs, c.words(ops[1:])
		}
	case "clean":
		if _, ok := c.Flag("-cache", "-modcache", "-testcache", "-fuzzcache"); ok {
			c.setSub(ops[0])
			c.Op = OpCleanup
		}
	default:
		c.classify(ops, goSubs)
	}
}

var cargoSubs = subs(
	subOp(OpBuild, "build", "b", "rustc"),
	subOp(OpInstallDeps, "fetch", "vendor", "chef cook"),
	subOp(OpUpgradeDeps, "update", "generate-lockfile"),
	subOpPkgs(OpInstallPkgs, "add"),
	subOp(OpCleanup, "clean"),
	subOp(OpRun, "run", "r"),
)

func kindCargo(c *Command) {
	c.Eco, c.valueFlags = EcoCargo, cargoValue
	ops := c.operandIdx(0)
	if c.subOf(ops, 0) != "install" {
		c.classify(ops, cargoSubs)
		return
	}
	c.setSub(ops[0])
	crates := c.words(ops[1:])
	_, path := c.Flag("--path")
	switch {
	case path || len(crates) == 1 && crates[0].Text == ".":
		c.Op = OpBuild
	default:
		c.Op, c.Targets = OpInstallPkgs, crates
	}
}

var mavenBuildPhases = map[string]bool{"package": true, "install": true, "verify": true, "compile": true, "deploy": true, "test-compile": true}

func kindMaven(c *Command) {
	c.Eco, c.valueFlags = EcoMaven, mvnValue
	ops := c.operandIdx(0)
	if len(ops) == 0 {
		return
	}
	build, deps := false, false
	for _, i := range ops {
		g := c.Args[i].Text
		switch {
		case mavenBuildPhases[g]:
			build = true
		case strings.Contains(g, "go-offline") || strings.HasSuffix(g, ":resolve-dependencies") ||
			g == "dependency:resolve" || g == "dependency:resolve-plugins" || g == "dependency:copy-dependencies":
			deps = true
		case strings.Contains(g, ":"):
			for _, s := range []string{":repackage", ":build", ":build-image", ":compile", ":jar", ":war", ":single", ":shade", ":dockerBuild", ":native-image"} {
				if strings.HasSuffix(g, s) {
					build = true
				}
			}
		}
	}
	switch {
	case build:
		c.setSub(ops...)
		c.Op = OpBuild
	case deps:
		c.setSub(ops...)
		c.Op = OpInstallDeps
	}
}

var gradleBuildTasks = map[string]bool{
	"build": true, "assemble": true, "bootJar": true, "bootWar": true, "jar": true, "war": true, "shadowJar": true,
	"installDist": true, "distTar": true, "distZip": true, "nativeCompile": true, "bootDistZip": true,
	"bootDistTar": true, "installBootDist": true, "fatJar": true, "uberJar": true, "quarkusBuild": true,
	"buildNeeded": true, "compileJava": true, "compileKotlin": true, "classes": true, "buildFatJar": true,
	"assembleRelease": true, "bundleRelease": true, "jibDockerBuild": true, "jib": true,
}

func kindGradle(c *Command) {
	c.Eco, c.valueFlags = EcoGradle, gradleValue
	ops := c.operandIdx(0)
	build, deps := false, false
	for _, i := range ops {
		t := c.Args[i].Text
		if j := strings.LastIndexByte(t, ':'); j >= 0 {
			t = t[j+1:]
		}
		switch {
		case gradleBuildTasks[t]:
			build = true
		case strings.Contains(strings.ToLower(t), "dependencies"):
			deps = true
		}
	}
	switch {
	case build:
		c.setSub(ops...)
		c.Op = OpBuild
	case deps:
		c.setSub(ops...)
		c.Op = OpInstallDeps
	}
}

var bundleSubs = subs(
	subOp(OpInstallDeps, "install", "package", "cache"),
	subOpPkgs(OpInstallPkgs, "add"),
	subOp(OpUpgradeDeps, "update", "lock"),
	subOp(OpCleanup, "clean"),
)

func kindBundle(c *Command) {
	c.Eco, c.valueFlags = EcoBundler, bundleValue
	ops := c.operandIdx(0)
	if len(ops) == 0 {
		if _, ok := c.Flag("--version", "-v", "--help", "-h"); !ok {
			c.Op = OpInstallDeps
		}
		return
	}
	c.classify(ops, bundleSubs)
}

var gemSubs = subs(
	subOpPkgs(OpInstallPkgs, "install", "i", "update"),
	subOpPkgs(OpRemovePkgs, "uninstall"),
	subOp(OpCleanup, "cleanup"),
	subOp(OpBuild, "build"),
)

func kindGem(c *Command) {
	c.Eco, c.valueFlags = EcoBundler, gemValue
	c.classify(c.operandIdx(0), gemSubs)
}

var composerSubs = subs(
	subOp(OpInstallDeps, "install", "i"),
	subOp(OpUpgradeDeps, "update", "u", "upgrade"),
	subOpPkgs(OpInstallPkgs, "require", "r", "create-project", "global require"),
	subOpPkgs(OpRemovePkgs, "remove", "rm", "uninstall"),
	subOp(OpCleanup, "clear-cache", "clearcache", "cc"),
	subOp(OpRun, "run-script", "run"),
)

func kindComposer(c *Command) {
	c.Eco, c.valueFlags = EcoComposer, composerValue
	c.classify(c.operandIdx(0), composerSubs)
}

var dotnetSubs = subs(
	subOp(OpInstallDeps, "restore", "tool restore", "workload restore"),
	subOp(OpBuild, "build", "publish", "pack", "msbuild"),
	subOpPkgs(OpInstallPkgs, "tool install", "tool update", "workload install", "workload update"),
	subOp(OpRun, "run"),
)

func kindDotnet(c *Command) {
	c.Eco, c.valueFlags = EcoDotnet, dotnetValue
	ops := c.operandIdx(0)
	if c.classify(ops, dotnetSubs) {
		return
	}
	switch s := c.subOf(ops, 0); {
	case s == "add":
		for k := 1; k < len(ops); k++ {
			if c.subOf(ops, k) == "package" {
				c.setSub(ops[0], ops[k])
				c.Op, c.Targets = OpInstallPkgs, c.words(ops[k+1:])
			}
		}
	case s == "nuget":
		if c.subOf(ops, 1) == "locals" {
			if _, ok := c.Flag("--clear", "-c"); ok {
				c.setSub(ops[0], ops[1])
				c.Op = OpCleanup
			}
		}
	case strings.HasSuffix(s, ".dll"):
		c.Op = OpRun
	}
}

var aptSubs = subs(
	subOp(OpUpdate, "update"),
	subOpPkgs(OpInstallPkgs, "install", "reinstall", "build-dep"),
	subOp(OpInstallPkgs, "upgrade", "dist-upgrade", "full-upgrade"),
	subOpPkgs(OpRemovePkgs, "remove", "purge", "autoremove", "autopurge"),
	subOp(OpCleanup, "clean", "autoclean", "distclean"),
)

func kindApt(c *Command) {
	c.Eco, c.valueFlags = EcoApt, aptValue
	c.classify(c.operandIdx(0), aptSubs)
}

var apkSubs = subs(
	subOpPkgs(OpInstallPkgs, "add", "upgrade", "fix"),
	subOpPkgs(OpRemovePkgs, "del"),
	subOp(OpUpdate, "update"),
	subOp(OpCleanup, "cache clean", "cache purge"),
)

func kindApk(c *Command) {
	c.Eco, c.valueFlags = EcoApk, apkValue
	c.classify(c.operandIdx(0), apkSubs)
}

var dnfSubs = subs(
	subOpPkgs(OpInstallPkgs, "install", "in", "reinstall", "localinstall", "groupinstall", "group install", "groups install",
		"update", "upgrade", "distro-sync", "up"),
	subOpPkgs(OpRemovePkgs, "remove", "erase", "autoremove", "rm"),
	subOp(OpCleanup, "clean"),
	subOp(OpUpdate, "makecache"),
)

func kindDnf(c *Command) {
	c.Eco, c.valueFlags = EcoDnf, dnfValue
	c.classify(c.operandIdx(0), dnfSubs)
}

// kindFind: `find PATH... -delete` and `find ... -exec rm` clean up.
func kindFind(c *Command) {
	var roots []Word
	exprs := false
	cleanup := false
	for i, a := range c.Args {
		t := a.Text
		if !exprs && (strings.HasPrefix(t, "-") || t == "(" || t == "!" || t == "\\(") {
			exprs = true
		}
		if !exprs {
			roots = append(roots, a)
			continue
		}
		if t == "-delete" || (t == "-exec" || t == "-execdir") && i+1 < len(c.Args) && programName(c.Args[i+1]) == "rm" {
			cleanup = true
		}
	}
	if cleanup {
		c.Op, c.Targets = OpCleanup, roots
	}
}

// nodeBuildTools are JavaScript build tools and whether they build with
// no subcommand (tsc) or need one (vite build).
var nodeBuildTools = map[string]bool{
	"tsc": true, "webpack": true, "webpack-cli": true, "esbuild": true, "rollup": true, "swc": true,
	"babel": true, "tsup": true, "parcel": false, "ng": false, "vite": false, "next": false, "nuxt": false,
	"nuxi": false, "react-scripts": false, "gatsby": false, "astro": false, "svelte-kit": false,
	"vue-cli-service": false, "ember": false, "remix": false, "vinxi": false, "ncc": false, "turbo": false,
	"nx": false, "lerna": false, "craco": false, "umi": false, "quasar": false, "rsbuild": false, "rspack": true,
}

func isNodeBuildTool(n string) bool {
	_, ok := nodeBuildTools[n]
	return ok
}

func kindNodeTool(c *Command) bool {
	always, ok := nodeBuildTools[c.Name]
	if !ok {
		return false
	}
	c.Eco = EcoNode
	if _, v := c.Flag("--version", "-v", "--help", "-h", "--init"); v {
		return true
	}
	ops := c.operandIdx(0)
	sub := c.subOf(ops, 0)
	switch {
	case always:
		if sub == "serve" || sub == "watch" {
			c.setSub(ops[0])
			c.Op = OpRun
			return true
		}
		c.Op = OpBuild
	case c.Name == "turbo" || c.Name == "nx" || c.Name == "lerna":
		for k := range ops {
			t := c.Args[ops[k]].Text
			if j := strings.LastIndexByte(t, ':'); j >= 0 {
				t = t[j+1:]
			}
			if isBuildScript(t) {
				c.setSub(ops[:k+1]...)
				c.Op = OpBuild
				return true
			}
		}
	case sub == "build" || sub == "b" && c.Name == "ng" || sub == "generate" && (c.Name == "nuxt" || c.Name == "nuxi") || sub == "export" && c.Name == "next":
		c.setSub(ops[0])
		c.Op = OpBuild
	case sub == "" || sub == "dev" || sub == "serve" || sub == "start" || sub == "preview" || sub == "s":
		if len(ops) > 0 {
			c.setSub(ops[0])
		}
		c.Op = OpRun
	}
	return true
}

// kindNative handles make, cmake, ninja, compilers and configure.
func kindNative(c *Command) {
	n := c.Name
	switch n {
	case "make", "gmake", "ninja", "configure", "meson", "bazel", "bazelisk", "scons":
	case "cmake":
		if _, ok := c.Flag("-E", "--version", "--help", "--install"); ok {
			c.Eco = EcoMake
			return
		}
	case "gcc", "g++", "cc", "c++", "clang", "clang++", "musl-gcc", "x86_64-linux-gnu-gcc", "aarch64-linux-gnu-gcc", "rustc", "javac", "kotlinc":
		if len(c.Args) == 0 {
			return
		}
		if _, ok := c.Flag("--version", "-v", "-dumpmachine", "-dumpversion", "--help", "-version"); ok {
			c.Eco = EcoMake
			return
		}
	default:
		return
	}
	c.Eco = EcoMake
	ops := c.operandIdx(0)
	if n == "make" || n == "gmake" {
		c.valueFlags = []string{"-C", "-f", "--file", "-j", "--jobs", "-I", "-o", "-W", "-l"}
		ops = c.operandIdx(0)
		targets := c.words(ops)
		nonBuild := 0
		for _, t := range targets {
			switch t.Text {
			case "clean", "distclean", "help", "test", "check", "lint", "fmt", "format", "mrproper":
				nonBuild++
			}
		}
		if len(targets) > 0 && nonBuild == len(targets) {
			return
		}
		if len(ops) > 0 {
			c.setSub(ops...)
		}
	}
	if (n == "bazel" || n == "bazelisk") && c.subOf(ops, 0) != "build" {
		return
	}
	c.Op = OpBuild
}
