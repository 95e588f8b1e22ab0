// This file defines the fix of SingleStageBuild for a Node service built
// with npm, yarn or pnpm: the original stage becomes the builder, a `deps`
// stage installs the production dependencies only (`npm ci --omit=dev`;
// `yarn install --frozen-lockfile --production` for yarn 1; `corepack
// enable && pnpm install --prod --frozen-lockfile`; `corepack enable &&
// yarn workspaces focus --all --production` for yarn 2+ with the
// node-modules linker, built in from yarn 4, the workspace-tools plugin in
// 2 and 3), and the runtime stage, FROM node:<same major>-alpine when the
// original is Alpine-based, else node:<same major>-slim (Debian, as the
// original, so glibc native modules keep working; the title names the
// native modules among the production dependencies), holds the runtime
// instructions, the production node_modules, the build output and
// package.json, and runs as `node`.
//
// The build output folder is read from the build script (--outDir,
// --out-dir, -d), from tsconfig.json's outDir for tsc and nest, or is
// dist when the script names it; without one, nothing is offered. Nothing
// is offered either for a static front end (React, Vue, Angular, Svelte,
// Vite, Next, Nuxt), without package.json and its lockfile in the build
// context, for a pnpm workspace, for yarn 2+ with Plug'n'Play, an unknown
// version or (2 and 3) without the workspace-tools plugin, when Corepack
// is needed and the node image has none (before 16, from 25), when the
// WORKDIR is not known, or when CMD/ENTRYPOINT does not run the build
// output with node (directly, or through `npm start` whose script does;
// `yarn start` with yarn 1 only).
package codeactions

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

// nodeFrontEnd lists dependencies that make a project a front end or a
// framework whose output is not a folder run by node.
var nodeFrontEnd = []string{"react", "react-dom", "vue", "@angular/core", "svelte", "vite", "next", "nuxt", "@sveltejs/kit", "gatsby"}

// nodeNativeModules lists production dependencies that compile native
// code (node-gyp) or ship prebuilt binaries for glibc: their prebuilt
// binaries do not load on Alpine's musl, so a Debian-based original must
// not become an Alpine runtime. The deps stage installs them on the
// runtime's base, so they are built (or fetched) for it. A small list of
// the common ones, not a complete one.
var nodeNativeModules = []string{
	"@tensorflow/tfjs-node", "argon2", "bcrypt", "better-sqlite3", "canvas", "cpu-features",
	"grpc", "node-sass", "re2", "sharp", "sqlite3",
}

// nativeModules returns the dependencies of deps that are native modules,
// sorted.
func nativeModules(deps map[string]string) []string {
	var out []string
	for _, m := range nodeNativeModules {
		if _, ok := deps[m]; ok {
			out = append(out, m)
		}
	}
	return out
}

var tsOutDir = regexp.MustCompile(`"outDir"\s*:\s*"([^"]+)"`)

func nodeSplit(in *Input, s *analysis.Stage) []*Action {
	f := in.File
	ctx := in.Options.Context
	if ctx == nil || ctx.Dir == "" || s.Name == "deps" {
		return nil
	}
	pkg, err := ctx.PackageJSON(".")
	if err != nil || pkg == nil {
		return nil
	}
	for _, dep := range nodeFrontEnd {
		if _, ok := pkg.Dependencies[dep]; ok {
			return nil
		}
		if _, ok := pkg.DevDependencies[dep]; ok {
			return nil
		}
	}
	var lock, install string
	var extra []string // further files and folders the deps stage copies
	berry := false
	switch {
	case ctx.Exists("package-lock.json"):
		lock, install = "package-lock.json", "npm ci --omit=dev"
	case ctx.Exists("pnpm-lock.yaml"):
		lock, install = "pnpm-lock.yaml", "corepack enable && pnpm install --prod --frozen-lockfile"
		if ctx.Exists("pnpm-workspace.yaml") {
			return nil // a workspace: its packages' manifests are needed too
		}
	case ctx.Exists("yarn.lock"):
		if v, _ := rules.YarnVersion(ctx, ""); v == 1 || v == 0 && !ctx.Exists(".yarnrc.yml") {
			// Yarn 1, the one node images ship.
			lock, install = "yarn.lock", "yarn install --frozen-lockfile --production"
			break
		}
		var ok bool
		if extra, ok = yarnBerryFiles(ctx, pkg); !ok {
			return nil
		}
		lock, install, berry = "yarn.lock", "corepack enable && yarn workspaces focus --all --production", true
	default:
		return nil
	}
	// The build: `npm run build` or `yarn build` in the WORKDIR.
	buildK := -1
	for k, inst := range s.Instructions {
		if !inst.Is("run") {
			continue
		}
		for _, c := range inst.Commands(s.ShellAt(inst)) {
			if runsBuildScript(&c) {
				if buildK >= 0 || c.DirUnknown || c.Dir != "" || c.Subst || c.Conditional {
					return nil
				}
				buildK = k
			}
		}
	}
	if buildK < 0 {
		return nil
	}
	wd, ok := workdirBefore(s, buildK)
	if !ok || !s.Workdir.Known || path.Clean(s.Workdir.S) != wd {
		return nil
	}
	out := nodeOutDir(ctx, pkg.Scripts["build"])
	if out == "" {
		return nil
	}
	rt, ok := runtimeOf(f, s, func(k string) bool { return strings.HasPrefix(strings.ToUpper(k), "NPM_CONFIG_") },
		func(u string) bool { return u == "node" || numericUser(u) },
		func(t []string) bool { return t[0] == "NONE" || t[0] == "CMD" && len(t) >= 2 && t[1] == "node" })
	if !ok {
		return nil
	}
	kwName, words, comment, ok := rt.startCommand()
	if !ok {
		return nil
	}
	if !runsOutput(words, out, pkg.Scripts["start"]) || berry && words[0] == "yarn" {
		// The runtime has no Corepack-enabled yarn 2+ for `yarn start`.
		return nil
	}
	im := s.Image()
	major, _, _ := strings.Cut(im.Version, ".")
	if major == "" || strings.Trim(major, "0123456789") != "" {
		return nil
	}
	if n, _ := strconv.Atoi(major); strings.HasPrefix(install, "corepack ") && (n < 16 || n >= 25) {
		return nil // no Corepack in the image
	}
	variant, why := "slim", "Debian-based like the original"
	natives := nativeModules(pkg.Dependencies)
	if strings.HasPrefix(im.Distro, "alpine") || strings.Contains(im.Variant, "alpine") {
		variant, why = "alpine", "Alpine-based like the original"
		if len(natives) > 0 {
			why += ", where its native modules " + strings.Join(natives, ", ") + " build"
		}
	} else if len(natives) > 0 {
		why += "; glibc native modules: " + strings.Join(natives, ", ")
	}
	base := "node:" + major + "-" + variant

	nl := eol(f)
	fromKw := s.From.Keyword()
	kw := func(k string) string { return keywordLike(fromKw, k) }
	name, edits := builderName(s, kw)
	var b strings.Builder
	b.WriteString(stageBreak(f, nl))
	b.WriteString(kw("FROM") + " " + base + " " + kw("AS") + " deps" + nl)
	b.WriteString(kw("WORKDIR") + " " + wd + nl)
	copied := "package.json " + lock
	if berry {
		copied += " .yarnrc.yml"
	}
	b.WriteString(kw("COPY") + " " + copied + " ./" + nl)
	for _, d := range extra {
		b.WriteString(kw("COPY") + " " + d + " ./" + d + nl)
	}
	b.WriteString(kw("RUN") + " " + install + nl)
	b.WriteString(nl)
	b.WriteString(kw("FROM") + " " + base + nl)
	for _, t := range rt.keep {
		b.WriteString(t)
	}
	b.WriteString(kw("COPY") + " --from=deps " + path.Join(wd, "node_modules") + " ./node_modules" + nl)
	b.WriteString(kw("COPY") + " --from=" + name + " " + path.Join(wd, out) + " ./" + out + nl)
	b.WriteString(kw("COPY") + " package.json ./" + nl)
	if !rt.hasUser {
		b.WriteString(kw("USER") + " node" + nl)
	}
	b.WriteString(comment + kw(kwName) + " " + jsonArray(words) + nl)
	edits = append(edits, Edit{Start: len(f.Text), End: len(f.Text), NewText: b.String()})
	return []*Action{{
		Title: "Split into stages: build in `" + name + "`, run `" + out + "` with production dependencies on `" + base + "` (" + why + ")",
		Edits: edits, Preferred: true,
	}}
}

// yarnBerryFiles tells whether the production dependencies of a yarn 2+
// project can be installed with `yarn workspaces focus --all
// --production` into a node_modules folder, and returns the folders of
// .yarn the install needs besides package.json, yarn.lock and
// .yarnrc.yml (the release yarnPath names, the plugins). It needs:
//   - .yarnrc.yml with `nodeLinker: node-modules` (Plug'n'Play installs
//     no node_modules to copy);
//   - the yarn version, from packageManager or the yarnPath release name;
//   - yarn 4 or later, where `focus` is built in, or for yarn 2 and 3 the
//     workspace-tools plugin among the .yarnrc.yml plugins.
func yarnBerryFiles(ctx *analysis.BuildContext, pkg *analysis.PackageJSON) (extra []string, ok bool) {
	rc, err := os.ReadFile(filepath.Join(ctx.Dir, ".yarnrc.yml"))
	if err != nil || len(rc) > 64<<10 {
		return nil, false
	}
	linker, yarnPath, plugins := "", "", ""
	inPlugins := false
	for _, line := range strings.Split(string(rc), "\n") {
		line = strings.TrimRight(line, "\r")
		if line != "" && line[0] != ' ' && line[0] != '-' && line[0] != '#' {
			inPlugins = false
		}
		k, v, _ := strings.Cut(line, ":")
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		switch strings.TrimSpace(k) {
		case "nodeLinker":
			linker = v
		case "yarnPath":
			yarnPath = v
		case "plugins":
			inPlugins = true
			continue
		}
		if inPlugins {
			plugins += line + "\n"
		}
	}
	if linker != "node-modules" {
		return nil, false
	}
	major := 0
	if ver, found := strings.CutPrefix(pkg.PackageManager, "yarn@"); found {
		major, _ = strconv.Atoi(strings.SplitN(ver, ".", 2)[0])
	} else if m := yarnRelease.FindStringSubmatch(yarnPath); m != nil {
		major, _ = strconv.Atoi(m[1])
	}
	switch {
	case major >= 4:
	case major >= 2 && strings.Contains(plugins, "workspace-tools"):
	default:
		return nil, false
	}
	for _, dir := range []string{".yarn/releases", ".yarn/plugins"} {
		if ctx.Exists(dir) {
			extra = append(extra, dir)
		}
	}
	if yarnPath != "" && !strings.HasPrefix(path.Clean(yarnPath), ".yarn/releases/") {
		return nil, false // a release the deps stage would not have
	}
	return extra, true
}

var yarnRelease = regexp.MustCompile(`yarn-([0-9]+)\.[0-9.]+[^/]*\.cjs$`)

// nodeOutDir returns the folder the build script writes, relative to the
// project, or "" when it cannot be told.
func nodeOutDir(ctx *analysis.BuildContext, script string) string {
	if script == "" || strings.ContainsAny(script, ";|&$`") {
		return ""
	}
	words := strings.Fields(script)
	dir := ""
	for i, w := range words {
		for _, flag := range []string{"--outDir", "--out-dir", "--outdir", "-d"} {
			if w == flag && i+1 < len(words) {
				dir = words[i+1]
			} else if v, ok := strings.CutPrefix(w, flag+"="); ok {
				dir = v
			}
		}
	}
	if dir == "" && (words[0] == "tsc" || words[0] == "nest") {
		for i, w := range words[1:] {
			// -p naming the project's own tsconfig.json is the default.
			if (w == "-p" || w == "--project") && i+2 < len(words) && defaultTSConfig(words[i+2]) {
				continue
			}
			if (i > 0 && (words[i] == "-p" || words[i] == "--project")) && defaultTSConfig(w) {
				continue
			}
			if strings.HasPrefix(w, "-p") || strings.HasPrefix(w, "--project") || strings.HasPrefix(w, "--build") || w == "-b" {
				return "" // another tsconfig
			}
		}
		if b, err := os.ReadFile(filepath.Join(ctx.Dir, "tsconfig.json")); err == nil {
			if m := tsOutDir.FindStringSubmatch(string(b)); m != nil {
				dir = m[1]
			}
		}
		if dir == "" && words[0] == "nest" {
			dir = "dist"
		}
	}
	if dir == "" {
		for _, w := range words {
			if w == "dist" || w == "./dist" || strings.HasPrefix(w, "dist/") {
				dir = "dist"
			}
		}
	}
	dir = path.Clean(strings.TrimPrefix(dir, "./"))
	if dir == "." || dir == "" || path.IsAbs(dir) || strings.HasPrefix(dir, "..") || strings.ContainsAny(dir, " *?[$\"'\\") || dir == "node_modules" {
		return ""
	}
	return dir
}

// defaultTSConfig reports whether a --project value names the project's
// own tsconfig.json, the one tsc reads without it.
func defaultTSConfig(p string) bool {
	switch p {
	case "tsconfig.json", "./tsconfig.json", ".", "./":
		return true
	}
	return false
}

// runsOutput reports whether a CMD or ENTRYPOINT runs a file of the build
// output with node, directly or through the start script.
func runsOutput(words []string, out, start string) bool {
	under := func(p string) bool {
		p = path.Clean(strings.TrimPrefix(p, "./"))
		return p == out || strings.HasPrefix(p, out+"/")
	}
	if len(words) >= 2 && words[0] == "node" {
		return under(words[1])
	}
	isStart := len(words) == 2 && (words[0] == "npm" || words[0] == "yarn") && words[1] == "start" ||
		len(words) == 3 && (words[0] == "npm" || words[0] == "yarn") && words[1] == "run" && words[2] == "start"
	if !isStart || strings.ContainsAny(start, ";|&$`") {
		return false
	}
	sw := strings.Fields(start)
	return len(sw) >= 2 && sw[0] == "node" && under(sw[1])
}

// runsBuildScript reports whether c runs package.json's build script with
// npm, yarn or pnpm.
func runsBuildScript(c *analysis.Command) bool {
	switch c.Eco {
	case analysis.EcoNpm, analysis.EcoYarn, analysis.EcoPnpm:
		return c.Sub == "run build" || c.Sub == "build" || c.Sub == "run-script build"
	}
	return false
}
