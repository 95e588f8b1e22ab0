// This file defines DevDependenciesInRuntime: the final image receives a
// node_modules directory installed with devDependencies.
package rules

import (
	"fmt"
	"path"
	"strings"

	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// DevDependenciesInRuntime reports a COPY --from in the final stage (or a
// stage it is built FROM) that copies node_modules, or a directory that
// holds it (not a part of it), from a stage whose last install there kept devDependencies:
// npm ci/install without --omit=dev or --production, yarn without
// --production, pnpm install without --prod, no NODE_ENV=production in
// effect and no prune after it. It stays quiet when the final stage prunes
// after the copy.
var DevDependenciesInRuntime = &analysis.Rule{
	Name:        "DevDependenciesInRuntime",
	Category:    analysis.Size,
	Severity:    analysis.SeverityWarning,
	Description: "The final stage copies node_modules that include devDependencies",
	URL:         docURL("DevDependenciesInRuntime"),
	Doc: doc(`
A build stage installs every dependency, devDependencies included, because
the build needs the compilers, bundlers and test tools they hold. Copying
that node_modules into the final image ships all of them: often most of its
size, and packages with vulnerabilities the application never loads. Install
production dependencies alone for the runtime (npm ci --omit=dev, yarn
install --production, pnpm install --prod), or prune the build's
node_modules (npm prune --omit=dev) before copying it.`, `
FROM node:20 AS build
WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:20-slim
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
CMD ["node", "dist/server.js"]`, `
FROM node:20 AS build
WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
CMD ["node", "dist/server.js"]`),
	Run: devDependenciesInRuntime,
}

func devDependenciesInRuntime(p *analysis.Pass) {
	final := p.File.Semantics().Final()
	if final == nil {
		return
	}
	chain := chainFacts(final)
	for ci, t := range chain {
		for _, d := range t.Deps {
			if d.Kind != analysis.CopyFrom || d.Stage == nil {
				continue
			}
			c, ok := d.Instruction.Command().(*instructions.CopyCommand)
			if !ok || prunedAfter(chain[ci:], d.Instruction) {
				continue
			}
			dirs := devInstalls(d.Stage)
			if len(dirs) == 0 {
				continue
			}
			for _, src := range c.SourcePaths {
				if strings.Contains(src, "$") {
					continue
				}
				abs := path.Clean("/" + src)
				for _, ev := range dirs {
					nm := path.Join(ev.dir, "node_modules")
					// node_modules itself or a directory that holds it; a
					// part of it (node_modules/.prisma) is not the whole tree.
					if !underDir(nm, abs) && !globMatches(abs, nm) {
						continue
					}
					s, e, ok := sourceRange(d.Instruction, src)
					if !ok {
						s, e = d.Start, d.End
					}
					p.Report(analysis.Diagnostic{Start: s, End: e, Instruction: d.Instruction,
						Message: fmt.Sprintf("this copies %s from stage %q, where `%s` kept devDependencies; %s", nm, stageLabel(d.Stage), ev.text, prodInstall(ev))})
					break
				}
			}
		}
	}
}

// devInstalls returns, per directory, the last node_modules event of the
// stage and the stages it is built FROM when that event is an install that
// kept devDependencies.
func devInstalls(s *analysis.Stage) []nodeEvent {
	last := map[string]nodeEvent{}
	var order []string
	for _, t := range chainFacts(s) {
		for _, ev := range factsOf(t).node {
			if ev.dir == "" {
				// An event in an unknown directory could be anywhere.
				if ev.kind != nodeInstallDev {
					return nil
				}
				continue
			}
			if _, ok := last[ev.dir]; !ok {
				order = append(order, ev.dir)
			}
			last[ev.dir] = ev
		}
	}
	var out []nodeEvent
	for _, dir := range order {
		if ev := last[dir]; ev.kind == nodeInstallDev {
			out = append(out, ev)
		}
	}
	return out
}

// prunedAfter reports whether a stage of the final chain prunes
// devDependencies (or installs production dependencies) after the copy.
func prunedAfter(chain []*analysis.Stage, copy *analysis.Instruction) bool {
	for _, t := range chain {
		for _, ev := range factsOf(t).node {
			if in, _ := ev.at(t); in.Index > copy.Index && ev.kind != nodeInstallDev {
				return true
			}
		}
	}
	return false
}

// underDir reports whether p is dir or inside it.
func underDir(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

// globMatches reports whether a source with wildcards matches p or a
// directory above it.
func globMatches(pattern, p string) bool {
	if !strings.ContainsAny(pattern, "*?[") {
		return false
	}
	for q := p; q != "/" && q != "."; q = path.Dir(q) {
		if ok, _ := path.Match(pattern, q); ok {
			return true
		}
	}
	return false
}

// sourceRange locates a COPY source in the instruction.
func sourceRange(in *analysis.Instruction, src string) (int, int, bool) {
	_, ke := in.KeywordRange()
	text := in.File().Text[ke:in.End()]
	for i := 0; i < len(text); {
		j := strings.Index(text[i:], src)
		if j < 0 {
			return 0, 0, false
		}
		at := i + j
		before := byte(' ')
		if at > 0 {
			before = text[at-1]
		}
		after := byte(' ')
		if at+len(src) < len(text) {
			after = text[at+len(src)]
		}
		if (before == ' ' || before == '\t' || before == '"' || before == '\n') && (after == ' ' || after == '\t' || after == '"' || after == '\n' || after == '\\') {
			return ke + at, ke + at + len(src), true
		}
		i = at + 1
	}
	return 0, 0, false
}

func stageLabel(s *analysis.Stage) string {
	if s.Name != "" {
		return s.Name
	}
	return fmt.Sprint(s.Index)
}

// prodInstall says how to install production dependencies only.
func prodInstall(ev nodeEvent) string {
	switch ev.eco {
	case analysis.EcoYarn:
		return "install with `yarn install --production` (Yarn 1) or `yarn workspaces focus --all --production` (Yarn 2+) for the runtime"
	case analysis.EcoPnpm:
		return "run `pnpm prune --prod` after the build or install with `pnpm install --prod` for the runtime"
	}
	return "run `npm prune --omit=dev` after the build or install with `npm ci --omit=dev` for the runtime"
}
