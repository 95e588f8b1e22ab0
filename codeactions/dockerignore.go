// This file defines the fixes of MissingDockerignore and
// DockerignoreMissingEntries. For the first, a .dockerignore is created in
// the context directory, excluding what the image never needs
// (version control, environment files, private keys, the Dockerfiles and
// the ignore file itself) and what the rules find in the context for its
// ecosystems (node_modules, target/, __pycache__, .venv, build outputs).
//
// The file is checked before it is offered: with it in the build context,
// MissingDockerignore and DockerignoreMissingEntries must be gone and no
// COPY may name a file it excludes (CopyIgnoredFile); otherwise there is
// no fix (`.env*` would break `COPY .env.production .`).
//
// For DockerignoreMissingEntries, only the entries the rule finds missing
// are appended to the ignore file the context reads (when it is in the
// context directory), under a comment saying who added them.
//
// The actions write files; Verify checks them against a context that has
// them (BuildContext.WithDockerignore). They are not safe: which files
// the builder sees is the user's decision.
package codeactions

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

func init() {
	register("MissingDockerignore", fixMissingDockerignore)
	register("DockerignoreMissingEntries", fixDockerignoreEntries)
}

// DockerignoreName is the ignore file the fix creates, relative to the
// build context directory (which must hold the Dockerfile).
const DockerignoreName = ".dockerignore"

// alwaysIgnored are excluded from every context.
var alwaysIgnored = []string{".git", ".env*", "*.pem", "*.key", "id_rsa*", "Dockerfile*", ".dockerignore"}

func fixMissingDockerignore(in *Input, d analysis.Diagnostic) []*Action {
	if in.safeOnly {
		return nil // never safe
	}
	ctx := in.Options.Context
	if ctx == nil || ctx.Dir == "" || ctx.HasDockerignore() || ctx.Exists(DockerignoreName) {
		return nil
	}
	entries := append([]string{}, alwaysIgnored...)
	for _, p := range rules.WantIgnored(ctx, in.File.Semantics()) {
		p = strings.TrimPrefix(path.Clean(p), "./")
		covered := false
		for _, e := range entries {
			if ok, _ := path.Match(e, p); ok || e == p {
				covered = true
			}
		}
		if !covered && p != "." && p != "" && !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "..") {
			entries = append(entries, p)
		}
	}
	content := "# Excluded from the build context (written by dockwise).\n" + strings.Join(entries, "\n") + "\n"
	nctx, err := ctx.WithDockerignore(DockerignoreName, content)
	if err != nil {
		return nil
	}
	check := []*analysis.Rule{rules.MissingDockerignore, rules.DockerignoreMissingEntries, rules.CopyIgnoredFile}
	if len(analysis.Check(in.File, check, analysis.Options{Context: nctx})) > 0 {
		return nil
	}
	return []*Action{{
		Title:     "Create " + DockerignoreName + " excluding " + short(strings.Join(entries, ", "), 100),
		Files:     []NewFile{{Path: DockerignoreName, Content: content}},
		Preferred: true,
	}}
}

func fixDockerignoreEntries(in *Input, d analysis.Diagnostic) []*Action {
	if in.safeOnly {
		return nil // never safe
	}
	ctx := in.Options.Context
	if ctx == nil || ctx.Dir == "" || !ctx.HasDockerignore() {
		return nil
	}
	rel, err := filepath.Rel(ctx.Dir, ctx.DockerignorePath())
	if err != nil || !filepath.IsLocal(rel) || filepath.Dir(rel) != "." {
		return nil // not in the context directory
	}
	old, err := os.ReadFile(ctx.DockerignorePath())
	if err != nil {
		return nil
	}
	var missing []string
	for _, p := range rules.WantIgnored(ctx, in.File.Semantics()) {
		p = strings.TrimPrefix(path.Clean(p), "./")
		if !ctx.Ignored(p) && p != "." && p != "" && !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "..") {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	content := "# Added by dockwise.\n" + strings.Join(missing, "\n") + "\n"
	if len(old) > 0 && old[len(old)-1] != '\n' {
		content = lineEnd(string(old)) + content
	}
	if strings.Contains(string(old), "\r\n") {
		content = strings.ReplaceAll(content, "\n", "\r\n")
		content = strings.ReplaceAll(content, "\r\r\n", "\r\n")
	}
	name := filepath.ToSlash(rel)
	nctx, err := ctx.WithDockerignore(name, string(old)+content)
	if err != nil {
		return nil
	}
	// The entries go, and no COPY gains a source they exclude.
	check := []*analysis.Rule{rules.DockerignoreMissingEntries, rules.CopyIgnoredFile}
	if len(analysis.Check(in.File, check, analysis.Options{Context: nctx})) >
		len(analysis.Check(in.File, check[1:], analysis.Options{Context: ctx})) {
		return nil
	}
	return []*Action{{
		Title:     "Add " + short(strings.Join(missing, ", "), 100) + " to " + name,
		Files:     []NewFile{{Path: name, Content: content, Append: true}},
		Preferred: true,
	}}
}
