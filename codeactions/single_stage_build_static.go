// This file defines the fix of SingleStageBuild for a static front end
// (Angular, React, Vue, Svelte) built with node: the original stage
// becomes the builder, and a runtime stage serves the build output folder
// with nginx. Two runtimes are offered: nginx:alpine (port 80), and
// nginxinc/nginx-unprivileged:alpine (port 8080), which runs as a non-root
// user. The runtime stage keeps the original's LABELs with their comments;
// the rest (CMD, ENTRYPOINT, EXPOSE, USER, ENV...) belongs to the node
// image and the builder, and nginx's image brings its own.
//
// The output folder is that of the build tool:
//   - ng build: angular.json's outputPath for the project (the only one,
//     or defaultProject), under browser/ with the application builder
//     (Angular 17 and later when angular.json names no builder), else
//     dist/<project>/browser or dist/<project>;
//   - vite build: --outDir, else dist (not when a vite.config sets outDir);
//   - react-scripts build: build;
//   - vue-cli-service build: --dest, else dist (not when a vue.config sets
//     outputDir).
//
// Nothing is offered when the project is not one of these front ends
// (Next, Nuxt, SvelteKit, Gatsby and the like are servers or have their
// own output), when there is not exactly one build (`npm run build`,
// `yarn build`, or the tool itself, in the WORKDIR, not conditional), when
// the WORKDIR is not known, or when the output folder cannot be told.
package codeactions

import (
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

// staticFrameworks are the dependencies that make a project a static
// front end; staticServers those that make it something else.
var (
	staticFrameworks = []string{"@angular/core", "react", "vue", "svelte"}
	staticServers    = []string{"next", "nuxt", "@sveltejs/kit", "gatsby", "astro", "@remix-run/react", "express"}
)

func staticSplit(in *Input, s *analysis.Stage) []*Action {
	f := in.File
	ctx := in.Options.Context
	if ctx == nil || ctx.Dir == "" {
		return nil
	}
	pkg, err := ctx.PackageJSON(".")
	if err != nil || pkg == nil {
		return nil
	}
	has := func(dep string) bool {
		_, a := pkg.Dependencies[dep]
		_, b := pkg.DevDependencies[dep]
		return a || b
	}
	front := false
	for _, d := range staticFrameworks {
		front = front || has(d)
	}
	for _, d := range staticServers {
		if has(d) {
			return nil
		}
	}
	if !front {
		return nil
	}
	// The build: one command, by script or by the tool itself.
	buildK := -1
	var tool []string // the build tool's words
	for k, inst := range s.Instructions {
		if !inst.Is("run") {
			continue
		}
		for _, c := range inst.Commands(s.ShellAt(inst)) {
			var words []string
			switch {
			case runsBuildScript(&c):
				script := pkg.Scripts["build"]
				if script == "" || strings.ContainsAny(script, ";|&$`'\"\\<>()") {
					return nil
				}
				words = strings.Fields(script)
				if len(c.Args) > len(strings.Fields(c.Sub)) {
					return nil // arguments passed on to the script
				}
			case isStaticTool(c.Name) && len(c.Args) > 0 && c.Args[0].Literal && c.Args[0].Text == "build":
				words = []string{c.Name}
				for _, a := range c.Args {
					if !a.Literal {
						return nil
					}
					words = append(words, a.Text)
				}
			default:
				continue
			}
			if buildK >= 0 || c.DirUnknown || c.Dir != "" || c.Subst || c.Conditional || c.Nested > 0 {
				return nil
			}
			buildK, tool = k, words
		}
	}
	if buildK < 0 || len(tool) < 2 {
		return nil
	}
	wd, ok := workdirBefore(s, buildK)
	if !ok || !path.IsAbs(wd) {
		return nil
	}
	out := staticOutDir(ctx.Dir, pkg, tool)
	if out == "" {
		return nil
	}

	nl := eol(f)
	fromKw := s.From.Keyword()
	kw := func(k string) string { return keywordLike(fromKw, k) }
	var labels strings.Builder
	for _, inst := range s.Instructions {
		if !inst.Is("label") {
			continue
		}
		if strings.Contains(f.Text[inst.Start():inst.End()], "$") {
			return nil
		}
		labels.WriteString(f.Text[commentsStart(f, inst):inst.End()] + nl)
	}
	name, edits := builderName(s, kw)
	src := path.Join(wd, out)
	mk := func(base string, port int, title string, preferred bool) *Action {
		var b strings.Builder
		b.WriteString(stageBreak(f, nl))
		b.WriteString(kw("FROM") + " " + base + nl)
		b.WriteString(labels.String())
		b.WriteString(kw("COPY") + " --from=" + name + " " + src + " /usr/share/nginx/html" + nl)
		b.WriteString(kw("EXPOSE") + " " + strconv.Itoa(port) + nl)
		es := append(slices.Clone(edits), Edit{Start: len(f.Text), End: len(f.Text), NewText: b.String()})
		return &Action{Title: title, Edits: es, Preferred: preferred}
	}
	return []*Action{
		mk("nginx:alpine", 80, "Split into stages: build in `"+name+"`, serve `"+out+"` with `nginx:alpine` on port 80", true),
		mk("nginxinc/nginx-unprivileged:alpine", 8080, "Split into stages: build in `"+name+"`, serve `"+out+"` with `nginxinc/nginx-unprivileged:alpine` on port 8080 as non-root", false),
	}
}

// isStaticTool reports whether a program is a front-end build tool whose
// output folder staticOutDir knows.
func isStaticTool(name string) bool {
	switch name {
	case "ng", "vite", "react-scripts", "vue-cli-service":
		return true
	}
	return false
}

// staticOutDir returns the folder (relative to the project) that the
// build command words write, or "" when it cannot be told.
func staticOutDir(dir string, pkg *analysis.PackageJSON, words []string) string {
	if len(words) < 2 || words[1] != "build" {
		return ""
	}
	flag := func(names ...string) (string, bool) {
		for i, w := range words {
			for _, n := range names {
				if w == n && i+1 < len(words) {
					return words[i+1], true
				}
				if v, ok := strings.CutPrefix(w, n+"="); ok {
					return v, true
				}
			}
		}
		return "", false
	}
	mentions := func(glob, key string) bool {
		m, _ := filepath.Glob(filepath.Join(dir, glob))
		for _, p := range m {
			if b, err := os.ReadFile(p); err != nil || strings.Contains(string(b), key) {
				return true
			}
		}
		return false
	}
	var out string
	switch words[0] {
	case "ng":
		if _, ok := flag("--output-path"); ok {
			return ""
		}
		for _, w := range words[2:] {
			if !strings.HasPrefix(w, "-") && !isFlagValue(words, w) {
				return "" // a project named on the command line
			}
		}
		out = angularOutDir(dir, pkg)
	case "vite":
		if mentions("vite.config.*", "outDir") {
			return ""
		}
		out = "dist"
		if v, ok := flag("--outDir", "--out-dir"); ok {
			out = v
		}
	case "react-scripts":
		if mentions(".env*", "BUILD_PATH") {
			return ""
		}
		out = "build"
	case "vue-cli-service":
		if mentions("vue.config.*", "outputDir") {
			return ""
		}
		out = "dist"
		if v, ok := flag("--dest"); ok {
			out = v
		}
	default:
		return ""
	}
	out = path.Clean(strings.TrimPrefix(out, "./"))
	if out == "." || out == "" || path.IsAbs(out) || strings.HasPrefix(out, "..") || strings.ContainsAny(out, " *?[$\"'\\") || out == "node_modules" {
		return ""
	}
	return out
}

// isFlagValue reports whether w follows a flag that takes a value in ng's
// command line.
func isFlagValue(words []string, w string) bool {
	for i := 1; i < len(words); i++ {
		if words[i] == w {
			switch words[i-1] {
			case "--configuration", "-c", "--base-href", "--deploy-url":
				return true
			}
		}
	}
	return false
}

// angularOutDir reads the browser output folder of the project in
// angular.json, or returns "".
func angularOutDir(dir string, pkg *analysis.PackageJSON) string {
	b, err := os.ReadFile(filepath.Join(dir, "angular.json"))
	if err != nil || strings.Count(string(b), `"outputPath"`) > 1 {
		return "" // an output path per configuration
	}
	var ws struct {
		DefaultProject string `json:"defaultProject"`
		Projects       map[string]struct {
			Architect struct {
				Build struct {
					Builder string `json:"builder"`
					Options struct {
						OutputPath json.RawMessage `json:"outputPath"`
					} `json:"options"`
				} `json:"build"`
			} `json:"architect"`
		} `json:"projects"`
	}
	if err := json.Unmarshal(b, &ws); err != nil {
		return ""
	}
	name := ws.DefaultProject
	if name == "" {
		if len(ws.Projects) != 1 {
			return ""
		}
		for n := range ws.Projects {
			name = n
		}
	}
	p, ok := ws.Projects[name]
	if !ok || name == "" {
		return ""
	}
	build := p.Architect.Build
	var application bool
	switch {
	case strings.HasSuffix(build.Builder, ":application"):
		application = true
	case strings.HasSuffix(build.Builder, ":browser"), strings.HasSuffix(build.Builder, ":browser-esbuild"):
	case build.Builder == "":
		// No builder named: Angular 17 and later default to the
		// application builder.
		v := pkg.Dependencies["@angular/core"]
		major, _, _ := strings.Cut(strings.TrimLeft(v, "^~>=v "), ".")
		n, err := strconv.Atoi(major)
		if err != nil {
			return ""
		}
		application = n >= 17
	default:
		return ""
	}
	base, browser := path.Join("dist", name), "browser"
	if raw := build.Options.OutputPath; len(raw) > 0 {
		var s string
		var o struct {
			Base    string  `json:"base"`
			Browser *string `json:"browser"`
		}
		switch {
		case json.Unmarshal(raw, &s) == nil:
			base = s
		case json.Unmarshal(raw, &o) == nil && o.Base != "":
			base = o.Base
			if o.Browser != nil {
				browser = *o.Browser
			}
		default:
			return ""
		}
	}
	if !application {
		return base
	}
	return path.Join(base, browser)
}
