// This file defines CleanupInSeparateLayer: a RUN that only deletes what
// an earlier instruction of the stage created, which makes no image
// smaller because the bytes stay in the earlier layer.
package rules

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// CleanupInSeparateLayer judges the final stage and the stages it is built
// FROM (the layers of other stages never ship). A RUN is a cleanup when
// all its commands delete, clean caches or remove packages; it is reported
// when an earlier instruction of its stage demonstrably created what it
// deletes: a package manager that filled the cache it cleans, a COPY or
// ADD to the path, or a command that wrote there.
var CleanupInSeparateLayer = &analysis.Rule{
	Name:        "CleanupInSeparateLayer",
	Category:    analysis.Size,
	Severity:    analysis.SeverityWarning,
	Description: "A RUN only deletes what an earlier layer created, so the image is no smaller",
	URL:         docURL("CleanupInSeparateLayer"),
	Doc: doc(`
Every RUN adds a layer on top of the previous ones, and an image is the sum
of its layers. Deleting files in a later layer hides them, but their bytes
are still in the layer that created them: the image is exactly as large as
before (a little larger, even). Package lists, download caches, archives and
build directories have to be removed in the same RUN that creates them.

Move the cleanup into the RUN that creates the files, chained with &&; or,
for build directories, build in another stage and copy only the result.`, `
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl
RUN rm -rf /var/lib/apt/lists/*`, `
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*`),
	Run: cleanupInSeparateLayer,
}

func cleanupInSeparateLayer(p *analysis.Pass) {
	m := p.File.Semantics()
	final := m.Final()
	if final == nil || final.OS() == "windows" {
		return
	}
	for _, s := range final.Chain() {
		for _, f := range stageFindings(p.Rule, s, computeCleanup) {
			// aux: the index of the creating instruction, then what it is.
			ks, what, _ := strings.Cut(f.aux, "\x00")
			k, err := strconv.Atoi(ks)
			if err != nil || k < 0 || k >= len(s.Instructions) {
				continue
			}
			line := p.File.LineOf(s.Instructions[k].Start()) + 1
			f.report(p, s, fmt.Sprintf(f.msg, line, what))
		}
	}
}

// neutralCommands may appear in a cleanup RUN without making it do
// anything else.
var neutralCommands = map[string]bool{"set": true, "true": true, ":": true, "echo": true, "exit": true,
	"cd": true, "[": true, "test": true, "sync": true, "ls": true, "du": true, "df": true, "printf": true}

// creators are programs whose path arguments name what they create.
var creators = map[string]bool{"wget": true, "curl": true, "git": true, "mkdir": true, "cp": true, "mv": true,
	"tar": true, "unzip": true, "ln": true, "touch": true, "install": true, "tee": true, "dd": true, "rsync": true,
	"gzip": true, "gunzip": true, "bunzip2": true, "7z": true, "xz": true, "unxz": true, "openssl": true,
	"ssh-keygen": true, "sh": true, "bash": true, "python": true, "python3": true, "node": true, "jar": true,
	"make": true, "cmake": true, "npx": true}

// cachePaths maps directories package managers fill to the ecosystems that
// fill them ("*" for any OS package manager). Paths under a home directory
// are written relative to it.
var cachePaths = []struct {
	dir  string
	ecos []analysis.Ecosystem
}{
	{"/var/lib/apt", []analysis.Ecosystem{analysis.EcoApt}},
	{"/var/cache/apt", []analysis.Ecosystem{analysis.EcoApt}},
	{"/var/cache/debconf", []analysis.Ecosystem{analysis.EcoApt}},
	{"/var/log/apt", []analysis.Ecosystem{analysis.EcoApt}},
	{"/var/log/dpkg.log", []analysis.Ecosystem{analysis.EcoApt}},
	{"/var/cache/apk", []analysis.Ecosystem{analysis.EcoApk}},
	{"/var/cache/yum", []analysis.Ecosystem{analysis.EcoDnf}},
	{"/var/cache/dnf", []analysis.Ecosystem{analysis.EcoDnf}},
	{"/var/lib/dnf", []analysis.Ecosystem{analysis.EcoDnf}},
	{"/var/log/dnf", []analysis.Ecosystem{analysis.EcoDnf}},
	{"/usr/share/doc", osPackageManagers},
	{"/usr/share/man", osPackageManagers},
	{"/usr/share/info", osPackageManagers},
	{"/usr/share/locale", osPackageManagers},
	{"/var/log", osPackageManagers},
	{"/usr/local/share/.cache/yarn", []analysis.Ecosystem{analysis.EcoYarn}},
	{"/go/pkg/mod", []analysis.Ecosystem{analysis.EcoGo}},
	{"/usr/local/cargo/registry", []analysis.Ecosystem{analysis.EcoCargo}},
	{"/usr/local/cargo/git", []analysis.Ecosystem{analysis.EcoCargo}},
	{"/usr/local/bundle/cache", []analysis.Ecosystem{analysis.EcoBundler}},
	{"~/.npm", []analysis.Ecosystem{analysis.EcoNpm}},
	{"~/.cache/pip", []analysis.Ecosystem{analysis.EcoPip, analysis.EcoPipenv}},
	{"~/.cache/yarn", []analysis.Ecosystem{analysis.EcoYarn}},
	{"~/.yarn", []analysis.Ecosystem{analysis.EcoYarn}},
	{"~/.local/share/pnpm", []analysis.Ecosystem{analysis.EcoPnpm}},
	{"~/.cache/go-build", []analysis.Ecosystem{analysis.EcoGo}},
	{"~/go/pkg/mod", []analysis.Ecosystem{analysis.EcoGo}},
	{"~/.cargo/registry", []analysis.Ecosystem{analysis.EcoCargo}},
	{"~/.cargo/git", []analysis.Ecosystem{analysis.EcoCargo}},
	{"~/.m2", []analysis.Ecosystem{analysis.EcoMaven}},
	{"~/.gradle", []analysis.Ecosystem{analysis.EcoGradle}},
	{"~/.composer", []analysis.Ecosystem{analysis.EcoComposer}},
	{"~/.cache/composer", []analysis.Ecosystem{analysis.EcoComposer}},
	{"~/.cache/uv", []analysis.Ecosystem{analysis.EcoUv}},
	{"~/.cache/pypoetry", []analysis.Ecosystem{analysis.EcoPoetry}},
	{"~/.bundle", []analysis.Ecosystem{analysis.EcoBundler}},
	{"~/.gem", []analysis.Ecosystem{analysis.EcoBundler}},
	{"~/.cache", []analysis.Ecosystem{analysis.EcoPip, analysis.EcoPipenv, analysis.EcoYarn, analysis.EcoGo,
		analysis.EcoUv, analysis.EcoPoetry, analysis.EcoComposer}},
}

var osPackageManagers = []analysis.Ecosystem{analysis.EcoApt, analysis.EcoApk, analysis.EcoDnf}

// evidence is what an earlier instruction of the stage created.
type evidence struct {
	k     int // the instruction
	what  string
	eco   analysis.Ecosystem // a package manager that installed (or "")
	paths []string           // absolute paths it wrote to ("=" prefix: that path only, not below)
}

func computeCleanup(fs *findingSink) {
	s := fs.s
	var seen []evidence
	var shell []string
	if s.Parent != nil {
		shell = s.Parent.Shell
	}
	workdir := ""
	if s.Parent != nil && s.Parent.Workdir.Known {
		workdir = s.Parent.Workdir.S
	}
	sem := s.From.File().Semantics()
	for k, in := range s.Instructions {
		switch cmd := in.Command().(type) {
		case *instructions.ShellCommand:
			shell = cmd.Shell
		case *instructions.WorkdirCommand:
			workdir = ""
			for _, a := range sem.Args(in) {
				if a.Role == analysis.RoleWorkdir && a.Value.Known {
					workdir = a.Value.S
				}
			}
		case *instructions.CopyCommand:
			if ps := copied(cmd.SourcesAndDest, workdir); ps != nil {
				seen = append(seen, evidence{k: k, what: "COPY", paths: ps})
			}
		case *instructions.AddCommand:
			if ps := copied(cmd.SourcesAndDest, workdir); ps != nil {
				seen = append(seen, evidence{k: k, what: "ADD", paths: ps})
			}
		case *instructions.RunCommand:
			cmds := in.Commands(shell)
			if cmds == nil {
				continue
			}
			home := homeFor(userAt(s, k), analysis.Value{}, false)
			if c, ev, ok := cleanupOnly(cmds, seen, workdir, home); ok {
				fs.add(in, c.Start, c.End, strings.ReplaceAll(c.Name+cleanupSubject(c), "%", "%%")+
					" runs in a layer of its own, so what it deletes stays in the layer of line %d (%s) and the image is no smaller; do it in the RUN that creates the files",
					strconv.Itoa(ev.k)+"\x00"+ev.what)
			}
			seen = append(seen, runEvidence(k, cmds, workdir)...)
		}
	}
}

// cleanupSubject returns what follows a cleanup command's name in the
// message: its subcommand or its first target.
func cleanupSubject(c *analysis.Command) string {
	if c.Sub != "" {
		return " " + c.Sub
	}
	if len(c.Targets) > 0 {
		return " " + c.Targets[0].Text
	}
	return ""
}

// destDir returns the absolute directory or file a COPY or ADD writes to,
// or "" when it is not known.
func destDir(dest, workdir string) string {
	if dest == "" || strings.Contains(dest, "$") {
		return ""
	}
	if !strings.HasPrefix(dest, "/") {
		if workdir == "" || !strings.HasPrefix(workdir, "/") {
			return ""
		}
		dest = workdir + "/" + dest
	}
	return path.Clean(dest)
}

// copied returns the paths a COPY or ADD creates: the destination when it
// copies the whole context, else each source's name in the destination
// directory, and the destination itself (exactly: "=" prefix) when a
// single source may be renamed to it.
func copied(sd instructions.SourcesAndDest, workdir string) []string {
	d := destDir(sd.DestPath, workdir)
	if d == "" {
		return nil
	}
	var out []string
	for _, src := range sd.SourcePaths {
		switch src {
		case ".", "./", "*", "**":
			return []string{d}
		}
		if strings.Contains(src, "://") {
			continue
		}
		if b := path.Base(strings.TrimRight(src, "/")); b != "." && b != "/" && !strings.ContainsAny(b, "*?[$") {
			out = append(out, path.Join(d, b))
		}
	}
	if len(sd.SourcePaths) == 1 && !strings.HasSuffix(sd.DestPath, "/") {
		out = append(out, "="+d)
	}
	return out
}

// exactCreators name paths that may exist already (mkdir -p of an image
// directory): only the path itself counts as created.
var exactCreators = map[string]bool{"mkdir": true, "touch": true, "ln": true, "install": true, "chmod": true}

// runEvidence returns what the commands of a RUN create: the package
// managers that install and the absolute paths creating commands name.
func runEvidence(k int, cmds []analysis.Command, workdir string) []evidence {
	var out []evidence
	for i := range cmds {
		c := &cmds[i]
		switch c.Op {
		case analysis.OpInstallDeps, analysis.OpInstallPkgs, analysis.OpBuild, analysis.OpUpdate, analysis.OpUpgradeDeps:
			if c.Eco != analysis.EcoNone {
				what := c.Name
				if c.Sub != "" {
					what += " " + c.Sub
				}
				out = append(out, evidence{k: k, what: what, eco: c.Eco})
			}
		}
		if c.Eco == analysis.EcoNone && !creators[c.Name] {
			continue
		}
		var paths []string
		for _, a := range c.Args {
			if !a.Literal {
				continue
			}
			t := a.Text
			if strings.HasPrefix(t, "-") {
				_, v, ok := strings.Cut(t, "=")
				if !ok {
					if strings.HasPrefix(t, "-o/") || strings.HasPrefix(t, "-O/") || strings.HasPrefix(t, "-P/") {
						v, ok = t[2:], true
					}
				}
				if !ok {
					continue
				}
				t = v
			}
			if p := absPath(t, c, workdir, false); p != "" {
				if exactCreators[c.Name] {
					p = "=" + p
				}
				paths = append(paths, p)
			}
		}
		if len(paths) > 0 {
			out = append(out, evidence{k: k, what: c.Name, paths: paths})
		}
	}
	return out
}

// absPath returns the absolute path a literal argument names, relative
// ones resolved through the command's directory and the WORKDIR, or "".
func absPath(t string, c *analysis.Command, workdir string, bare bool) string {
	if t == "" || strings.Contains(t, "://") || strings.ContainsAny(t, "$") {
		return ""
	}
	if !strings.HasPrefix(t, "/") {
		if !bare && !strings.HasPrefix(t, "./") && !strings.Contains(t, "/") {
			return "" // a bare word: a package, a flag value, a file name
		}
		dir := c.Dir
		if c.DirUnknown {
			return ""
		}
		if !strings.HasPrefix(dir, "/") {
			if workdir == "" {
				return ""
			}
			dir = path.Join(workdir, dir)
		}
		t = path.Join(dir, t)
	}
	return path.Clean(t)
}

// cleanupOnly reports whether a RUN only cleans up, and returns its first
// cleanup command that deletes what an earlier instruction created, with
// that instruction.
func cleanupOnly(cmds []analysis.Command, seen []evidence, workdir, home string) (*analysis.Command, evidence, bool) {
	any := false
	for i := range cmds {
		c := &cmds[i]
		switch {
		case c.Subst || neutralCommands[c.Name]:
		case c.Op == analysis.OpCleanup || c.Op == analysis.OpRemovePkgs:
			any = true
		default:
			return nil, evidence{}, false
		}
	}
	if !any {
		return nil, evidence{}, false
	}
	for i := range cmds {
		c := &cmds[i]
		if c.Op != analysis.OpCleanup && c.Op != analysis.OpRemovePkgs {
			continue
		}
		if ev, ok := createdBy(c, seen, workdir, home); ok {
			return c, ev, true
		}
	}
	return nil, evidence{}, false
}

// createdBy finds the latest earlier instruction that created what a
// cleanup command deletes.
func createdBy(c *analysis.Command, seen []evidence, workdir, home string) (evidence, bool) {
	byEco := func(ecos ...analysis.Ecosystem) (evidence, bool) {
		for i := len(seen) - 1; i >= 0; i-- {
			for _, e := range ecos {
				if seen[i].eco == e {
					return seen[i], true
				}
			}
		}
		return evidence{}, false
	}
	if c.Eco != analysis.EcoNone {
		// apt-get clean, apk del, npm cache clean, ...
		return byEco(c.Eco)
	}
	for _, t := range c.Targets {
		if !t.Literal {
			continue
		}
		p := t.Text
		if base := globBase(p); base != p {
			// A pattern: resolve its directory, keep the rest.
			d := absPath(strings.TrimSuffix(base, "/")+"/.", c, workdir, true)
			if d == "" || base == "" {
				continue
			}
			p = path.Join(d, strings.TrimPrefix(p, base))
		} else if p = absPath(p, c, workdir, true); p == "" || p == "/" {
			continue
		}
		for _, cp := range cachePaths {
			dir := cp.dir
			if rest, ok := strings.CutPrefix(dir, "~"); ok {
				if home == "~" {
					continue
				}
				dir = home + rest
			}
			if strings.HasPrefix(dir, "/") && overlaps(p, dir) {
				if ev, ok := byEco(cp.ecos...); ok {
					return ev, true
				}
			}
		}
		// The first instruction that names the path created it; later
		// ones use it.
		for i := range seen {
			for _, q := range seen[i].paths {
				if exact, ok := strings.CutPrefix(q, "="); ok {
					// That path, or a pattern that deletes it.
					if len(strings.Split(p, "/")) <= len(strings.Split(exact, "/")) && overlaps(p, exact) {
						return seen[i], true
					}
					continue
				}
				if overlaps(p, q) {
					return seen[i], true
				}
			}
		}
	}
	return evidence{}, false
}

// globBase returns the directory part of a path before its first glob
// character: /var/lib/apt/lists/* is /var/lib/apt/lists.
func globBase(p string) string {
	i := strings.IndexAny(p, "*?[")
	if i < 0 {
		return p
	}
	p = p[:i]
	if j := strings.LastIndexByte(p, '/'); j >= 0 {
		return p[:j+1]
	}
	return ""
}
