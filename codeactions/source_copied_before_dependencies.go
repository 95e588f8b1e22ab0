// This file defines the fix of SourceCopiedBeforeDependencies: copy the
// dependency manifests (and the lockfile the build context has) on their
// own before the install, and move the broad COPY after it. For a build
// that fetches what it lacks (go build, cargo build, mvn package, gradle
// build, dotnet publish), the manifests are copied and the download-only
// step (go mod download, cargo fetch, mvn dependency:go-offline, gradle
// dependencies, dotnet restore) runs before the broad COPY, which stays
// where it is. cargo fetch needs a target: an empty src/main.rs
// (src/lib.rs for a library) is written first, and the broad COPY
// overwrites it with the real source.
//
// No fix is offered when the result could build differently:
//   - the COPY has more than one source, a heredoc, --parents, --exclude,
//     or a destination or flag written with a variable;
//   - a WORKDIR (or, when the COPY moves, an ONBUILD or a RUN that does
//     more than install system packages) comes between the COPY and the
//     install: the source may be used there, or the manifests would land
//     elsewhere;
//   - the install does not run where the manifests land, or its RUN does
//     more than install (npm ci && npm run build), or it installs the
//     project itself (pip install ., poetry install without --no-root,
//     uv sync without --no-install-project);
//   - the ecosystem needs more than its manifests to resolve: npm/yarn
//     workspaces, a .yarn directory, Go replace directives to local
//     paths or go.work, a Maven reactor (<modules>) or the Maven/Gradle
//     wrappers, Gradle subprojects, a gemspec, composer scripts or the
//     autoloader, a cargo workspace, path dependency, explicit target
//     or build script (the dummy target would not stand in for them);
//   - the files to copy cannot be known (gradle, dotnet and cargo need
//     the build context).
//
// The fix is not safe: an install step that reads more than the manifests
// (a postinstall script, a local path dependency) fails after it; the user
// decides.
package codeactions

import (
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

func init() { register("SourceCopiedBeforeDependencies", fixSourceBeforeDeps) }

func fixSourceBeforeDeps(in *Input, d analysis.Diagnostic) []*Action {
	if in.safeOnly {
		return nil // never safe
	}
	f := in.File
	ctx := in.Options.Context
	if ctx != nil && ctx.Dir == "" {
		ctx = nil
	}
	if d.Instruction == nil || !d.Instruction.Is("copy") {
		return nil
	}
	s := f.Semantics().StageOf(d.Instruction)
	if s == nil {
		return nil
	}
	arg := -1
	for a := range s.ArgsOf(analysis.RoleSource) {
		if a.Start == d.Start && a.End == d.End && a.Instruction == d.Instruction {
			arg = a.Index
		}
	}
	if arg < 0 {
		return nil
	}
	di, ok := rules.SourceBeforeDepsInstall(s, in.Options.Context, arg)
	if !ok || di.Copy != d.Instruction {
		return nil
	}
	cp, ok := di.Copy.Command().(*instructions.CopyCommand)
	if !ok || cp.From != "" || cp.Parents || len(cp.ExcludePatterns) > 0 || len(cp.SourceContents) > 0 || len(cp.SourcePaths) != 1 {
		return nil
	}
	dest := cp.DestPath
	if dest == "" || strings.ContainsAny(dest+cp.Chown+cp.Chmod, "$ \t\"'\\`") {
		return nil
	}
	ck, ik := slices.Index(s.Instructions, di.Copy), slices.Index(s.Instructions, di.Install)
	if ck < 0 || ik <= ck {
		return nil
	}
	for _, between := range s.Instructions[ck+1 : ik] {
		switch strings.ToLower(between.Keyword()) {
		case "workdir":
			return nil
		case "onbuild":
			if di.Explicit {
				return nil
			}
		case "run":
			// The broad COPY moves after it: it must not read the source.
			if di.Explicit && !readsNoSource(s, between, analysis.EcoNone) {
				return nil
			}
		}
	}
	// The directory the manifests land in, relative to the WORKDIR or
	// absolute, and the directory the install runs in.
	destDir := path.Clean(dest)
	cmd := installCommand(s, di)
	if cmd == nil || cmd.DirUnknown {
		return nil
	}
	runDir := path.Clean("." + "/" + cmd.Dir)
	if path.IsAbs(cmd.Dir) {
		runDir = path.Clean(cmd.Dir)
	}
	if path.IsAbs(destDir) != path.IsAbs(runDir) {
		wd, ok := workdirBefore(s, ck)
		if !ok {
			return nil
		}
		if !path.IsAbs(destDir) {
			destDir = path.Join(wd, destDir)
		}
		if !path.IsAbs(runDir) {
			runDir = path.Join(wd, runDir)
		}
	}
	if destDir != runDir {
		return nil
	}
	if di.Explicit && !onlyInstalls(s, di) {
		return nil
	}
	src := di.Source
	if src == "" || src == "/" {
		src = "."
	}
	files, ok := manifestFiles(ctx, src, di, cmd)
	if !ok || len(files) == 0 {
		return nil
	}

	// The new COPY: the same keyword case and flags, the manifests, and
	// the destination as a directory.
	written := di.Copy.Keyword()
	var b strings.Builder
	b.WriteString(keywordLike(written, "COPY"))
	if cp.Chown != "" {
		b.WriteString(" --chown=" + cp.Chown)
	}
	if cp.Chmod != "" {
		b.WriteString(" --chmod=" + cp.Chmod)
	}
	if cp.Link {
		b.WriteString(" --link")
	}
	for _, file := range files {
		b.WriteString(" " + file)
	}
	if !strings.HasSuffix(dest, "/") {
		dest += "/"
	}
	b.WriteString(" " + dest)
	nl := eol(f)
	indent := leadingSpace(f.Line(di.Copy.StartLine()))
	copyLine := indent + b.String() + nl

	cs, ce := commentsStart(f, di.Copy), lineAfter(f, di.Copy)
	copyText := written
	if cp.Chown != "" {
		copyText += " --chown=" + cp.Chown
	}
	copyText += " " + cp.SourcePaths[0] + " " + cp.DestPath
	installText := keywordLike(di.Install.Keyword(), "RUN") + " " + strings.TrimSpace(cmd.Name+" "+cmd.Sub)
	list := strings.Join(files, " ")
	if !di.Explicit {
		download, run := downloadCommand(di), ""
		switch {
		case download == "":
			return nil
		case di.Group == "cargo":
			// The dummy target is written where the RUN runs: the build
			// must run in the WORKDIR, where the manifests land.
			if cmd.Dir != "" && path.Clean(cmd.Dir) != "." {
				if wd, ok := workdirBefore(s, ck); !ok || !path.IsAbs(cmd.Dir) || path.Clean(cmd.Dir) != wd {
					return nil
				}
			}
			target := "echo 'fn main() {}' > src/main.rs"
			if cargoLibrary(ctx, src) {
				target = "touch src/lib.rs"
			}
			run = "mkdir -p src && " + target + " && " + download
		default:
			run = download
			if runDir != "." {
				// The build changes directory (`cd /app && go build`):
				// the download must run where the manifests land.
				if strings.ContainsAny(runDir, " \t'\"$`\\;&|<>()*?[]{}~#") {
					return nil
				}
				run = "cd " + runDir + " && " + download
			}
		}
		runLine := indent + keywordLike(written, "RUN") + " " + run + nl
		return []*Action{{
			Title:     "Copy `" + list + "` and run `" + run + "` before `" + short(copyText, 40) + "`",
			Edits:     []Edit{{Start: cs, End: cs, NewText: copyLine + runLine}},
			Preferred: true,
		}}
	}
	block := f.Text[cs:ce]
	at := lineAfter(f, di.Install)
	if at == len(f.Text) && !strings.HasSuffix(f.Text, "\n") {
		block = nl + strings.TrimRight(block, "\r\n")
	} else if !strings.HasSuffix(block, "\n") {
		block += nl
	}
	return []*Action{{
		Title: "Copy `" + list + "` before `" + installText + "` and move `" + short(copyText, 40) + "` after it",
		Edits: []Edit{
			{Start: cs, End: ce, NewText: copyLine},
			{Start: at, End: at, NewText: block},
		},
		Preferred: true,
	}}
}

// leadingSpace returns the spaces and tabs a line starts with.
func leadingSpace(line string) string {
	return line[:len(line)-len(strings.TrimLeft(line, " \t"))]
}

// installCommand returns the command of the install's RUN that the
// finding is about: the first one of its ecosystem that installs (or, for
// a build that fetches, builds).
func installCommand(s *analysis.Stage, di rules.DepInstall) *analysis.Command {
	cmds := di.Install.Commands(s.ShellAt(di.Install))
	for i := range cmds {
		c := &cmds[i]
		if c.Subst || c.Eco != di.Eco || c.Name != di.Program {
			continue
		}
		if di.Explicit && c.Op == analysis.OpInstallDeps || !di.Explicit && c.Op == analysis.OpBuild {
			return c
		}
	}
	return nil
}

// onlyInstalls reports whether the install's RUN does nothing that may
// read the source: its commands install dependencies of the install's
// ecosystem, system packages, or clean up.
func onlyInstalls(s *analysis.Stage, di rules.DepInstall) bool {
	return readsNoSource(s, di.Install, di.Eco)
}

// readsNoSource reports whether a RUN's commands install dependencies of
// ecosystem eco (from manifests, not local paths), install system or
// global packages, update package indexes, or clean up: nothing that
// reads the copied source.
func readsNoSource(s *analysis.Stage, run *analysis.Instruction, eco analysis.Ecosystem) bool {
	if !run.Is("run") {
		return false
	}
	cmds := run.Commands(s.ShellAt(run))
	if len(cmds) == 0 {
		return false
	}
	for _, c := range cmds {
		switch {
		case c.Subst:
			return false
		case c.Op == analysis.OpInstallDeps && c.Eco == eco && eco != analysis.EcoNone:
			for _, a := range c.Args {
				t := a.Text
				if !a.Literal || t == "." || t == ".." || strings.HasPrefix(t, "./") || strings.HasPrefix(t, "../") ||
					t == "-e" || t == "--editable" || strings.HasPrefix(t, "file:") {
					return false
				}
			}
		case c.Op == analysis.OpInstallPkgs || c.Op == analysis.OpUpdate || c.Op == analysis.OpCleanup && c.Eco != analysis.EcoNone:
		case c.Op == analysis.OpCleanup && len(c.Targets) > 0 && !slices.ContainsFunc(c.Targets, func(w analysis.Word) bool {
			return !w.Literal || !path.IsAbs(w.Text) || path.Clean(w.Text) == "/"
		}):
			// rm -rf /var/lib/apt/lists/*: absolute paths, not the source
		case c.Eco == analysis.EcoNone && slices.Contains([]string{"set", "echo", "true", ":"}, c.Name):
		default:
			return false
		}
	}
	return true
}

// workdirBefore returns the WORKDIR in effect at instruction k of the
// stage when the stage sets it before k to a known absolute path.
func workdirBefore(s *analysis.Stage, k int) (string, bool) {
	wd, ok := "", false
	for a := range s.ArgsOf(analysis.RoleWorkdir) {
		if slices.Index(s.Instructions, a.Instruction) >= k {
			break
		}
		switch {
		case !a.Value.Known:
			wd, ok = "", false
		case path.IsAbs(a.Value.S):
			wd, ok = path.Clean(a.Value.S), true
		case ok:
			wd = path.Join(wd, a.Value.S)
		}
	}
	return wd, ok
}

// downloadCommand returns the download-only command to run before the
// broad COPY for a build that fetches what it lacks.
func downloadCommand(di rules.DepInstall) string {
	switch di.Group {
	case "go":
		return "go mod download"
	case "cargo":
		return "cargo fetch"
	case "maven":
		return "mvn dependency:go-offline"
	case "gradle":
		return "gradle dependencies"
	case "dotnet":
		return "dotnet restore"
	}
	return ""
}

// cargoLibrary reports whether the crate under src of the context is a
// library: its Cargo.toml has a [lib] table or the context has src/lib.rs.
func cargoLibrary(ctx *analysis.BuildContext, src string) bool {
	if ctx == nil {
		return false
	}
	dir := filepath.Join(ctx.Dir, filepath.FromSlash(src))
	if fi, err := os.Stat(filepath.Join(dir, "src", "lib.rs")); err == nil && !fi.IsDir() {
		return true
	}
	b, _ := os.ReadFile(filepath.Join(dir, "Cargo.toml"))
	for _, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "[lib]" {
			return true
		}
	}
	return false
}

// tomlKey reports whether a trimmed TOML line sets key.
func tomlKey(line, key string) bool {
	rest, ok := strings.CutPrefix(line, key)
	return ok && strings.HasPrefix(strings.TrimSpace(rest), "=")
}

// cargoPathKey reports whether a Cargo.toml line sets a path key in an
// inline table (foo = { path = "../foo" }).
func cargoPathKey(line string) bool {
	for rest := line; ; {
		i := strings.Index(rest, "path")
		if i < 0 {
			return false
		}
		before := strings.TrimRight(rest[:i], " \t")
		if (strings.HasSuffix(before, "{") || strings.HasSuffix(before, ",")) && tomlKey(rest[i:], "path") {
			return true
		}
		rest = rest[i+len("path"):]
	}
}

// manifestFiles returns the files to copy before the install, relative to
// the context (under src), or false when they cannot be known or are not
// enough to install.
func manifestFiles(ctx *analysis.BuildContext, src string, di rules.DepInstall, cmd *analysis.Command) ([]string, bool) {
	var sc *analysis.DirScan
	if ctx != nil {
		if sc = ctx.Scan(src); sc == nil {
			return nil, false
		}
	}
	has := func(name string) bool {
		_, ok := sc.Lookup(name)
		return ok
	}
	isDir := func(name string) bool {
		e, ok := sc.Lookup(name)
		return ok && e.Dir
	}
	read := func(name string) string {
		if ctx == nil {
			return ""
		}
		b, _ := os.ReadFile(filepath.Join(ctx.Dir, filepath.FromSlash(path.Join(src, name))))
		return string(b)
	}
	// existing returns the names among names that the context has; all
	// of them when it is unknown.
	existing := func(names ...string) []string {
		if sc == nil {
			return names
		}
		var out []string
		for _, n := range names {
			if has(n) {
				out = append(out, n)
			}
		}
		return out
	}
	var files []string
	switch di.Group {
	case "node":
		if sc != nil {
			if !has("package.json") || has("pnpm-workspace.yaml") || isDir(".yarn") || has(".pnp.cjs") {
				return nil, false
			}
			if strings.Contains(read("package.json"), `"workspaces"`) {
				return nil, false
			}
			files = []string{"package.json"}
			for _, l := range di.Locks {
				if has(l) {
					files = append(files, l)
					break
				}
			}
			files = append(files, existing(".npmrc", ".yarnrc", ".yarnrc.yml")...)
			break
		}
		switch di.Eco {
		case analysis.EcoYarn:
			files = []string{"package.json", "yarn.lock*"}
		case analysis.EcoPnpm:
			files = []string{"package.json", "pnpm-lock.yaml*"}
		default:
			files = []string{"package*.json"}
		}
	case "pip":
		if len(di.Files) == 0 {
			return nil, false
		}
		for _, file := range di.Files {
			// The install runs where the source lands: the file is
			// relative to the copied directory.
			rel := path.Clean(file)
			if path.IsAbs(file) || strings.HasPrefix(rel, "../") || strings.ContainsAny(file, "*?[$") {
				return nil, false
			}
			if path.Dir(rel) != "." {
				return nil, false // it would land in the destination, not under its directory
			}
			if sc != nil && !has(rel) {
				return nil, false
			}
			if !slices.Contains(files, rel) {
				files = append(files, rel)
			}
		}
		// A requirements file that includes another (-r base.txt) needs it.
		for _, file := range files {
			for _, line := range strings.Split(read(file), "\n") {
				line = strings.TrimSpace(line)
				if strings.HasPrefix(line, "-r") || strings.HasPrefix(line, "-c") || strings.HasPrefix(line, "--") ||
					strings.HasPrefix(line, "-e") || strings.HasPrefix(line, ".") || strings.HasPrefix(line, "/") {
					return nil, false
				}
			}
		}
	case "pipenv":
		files = []string{"Pipfile"}
		if sc == nil || has("Pipfile.lock") {
			files = append(files, "Pipfile.lock")
		}
	case "poetry":
		if _, ok := cmd.Flag("--no-root"); !ok {
			return nil, false
		}
		files = []string{"pyproject.toml"}
		if sc == nil || has("poetry.lock") {
			files = append(files, "poetry.lock")
		}
	case "uv":
		if _, ok := cmd.Flag("--no-install-project"); !ok || cmd.Sub != "sync" {
			return nil, false
		}
		if sc != nil && isDir(".python-version") {
			return nil, false
		}
		files = []string{"pyproject.toml"}
		if sc == nil || has("uv.lock") {
			files = append(files, "uv.lock")
		}
		if sc != nil && has(".python-version") {
			files = append(files, ".python-version")
		}
	case "go":
		if sc != nil {
			if has("go.work") || !has("go.mod") || isDir("vendor") {
				return nil, false
			}
			for _, line := range strings.Split(read("go.mod"), "\n") {
				if strings.Contains(line, "=> .") || strings.Contains(line, "=> /") {
					return nil, false // a replacement by a local directory
				}
			}
		}
		files = append([]string{"go.mod"}, existing("go.sum")...)
	case "cargo":
		// Only a build: cargo fetch on its own would move the broad COPY
		// after it, and it needs a target.
		if sc == nil || di.Explicit || di.Program != "cargo" || !has("Cargo.toml") || isDir("Cargo.toml") || has("build.rs") {
			return nil, false
		}
		for _, line := range strings.Split(read("Cargo.toml"), "\n") {
			line = strings.TrimSpace(line)
			switch {
			case strings.HasPrefix(line, "[workspace") || strings.HasPrefix(line, "[[") || strings.HasPrefix(line, "[patch"):
				return nil, false // members, explicit targets, local patches
			case tomlKey(line, "path"), tomlKey(line, "build"), tomlKey(line, "workspace"), cargoPathKey(line):
				return nil, false // foo = { path = "../foo" }, a build script, a parent workspace
			}
		}
		files = []string{"Cargo.toml", "Cargo.lock*"}
		if has("Cargo.lock") {
			files[1] = "Cargo.lock"
		}
	case "maven":
		if di.Program != "mvn" || sc != nil && (!has("pom.xml") || strings.Contains(read("pom.xml"), "<modules>")) {
			return nil, false
		}
		files = []string{"pom.xml"}
	case "gradle":
		if sc == nil || di.Program != "gradle" {
			return nil, false
		}
		files = existing("settings.gradle", "settings.gradle.kts", "build.gradle", "build.gradle.kts", "gradle.properties")
		for _, n := range files {
			if strings.HasPrefix(n, "settings.") && strings.Contains(read(n), "include") {
				return nil, false
			}
		}
		if !slices.ContainsFunc(files, func(n string) bool { return strings.HasPrefix(n, "build.gradle") }) || isDir("gradle") {
			return nil, false // version catalogs and plugins live there
		}
	case "bundler":
		if sc == nil || !has("Gemfile") || strings.Contains(read("Gemfile"), "gemspec") || strings.Contains(read("Gemfile"), "path:") {
			return nil, false
		}
		files = existing("Gemfile", "Gemfile.lock")
	case "composer":
		_, noScripts := cmd.Flag("--no-scripts")
		_, noAutoload := cmd.Flag("--no-autoloader")
		if !noScripts || !noAutoload {
			return nil, false
		}
		files = append([]string{"composer.json"}, existing("composer.lock")...)
	case "dotnet":
		if sc == nil {
			return nil, false
		}
		var projects []string
		for _, e := range sc.Entries {
			if e.Dir {
				continue
			}
			ext := path.Ext(e.Name)
			switch {
			case ext == ".sln" || ext == ".slnx":
				return nil, false
			case ext == ".csproj" || ext == ".fsproj" || ext == ".vbproj":
				projects = append(projects, e.Name)
			}
		}
		if len(projects) != 1 {
			return nil, false
		}
		files = append(projects, existing("nuget.config", "NuGet.Config", "Directory.Build.props", "Directory.Packages.props", "packages.lock.json")...)
	default:
		return nil, false
	}
	for i, file := range files {
		if strings.ContainsAny(file, " \t\"'$\\") {
			return nil, false
		}
		if src != "." {
			files[i] = path.Join(src, file)
		}
	}
	return files, true
}
