// This file defines UnreachableStage: a stage the final stage does not
// need.
package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

// UnreachableStage reports the stages the final stage does not depend on,
// directly or transitively, through FROM, COPY --from and RUN --mount
// from=. It is advice: such a stage may be a --target of its own.
var UnreachableStage = &analysis.Rule{
	Name:        "UnreachableStage",
	Category:    analysis.Correctness,
	Severity:    analysis.SeverityInfo,
	Description: "A stage the final stage does not use",
	URL:         docURL("UnreachableStage"),
	Doc: doc(`
"docker build" without --target builds the last stage and, with BuildKit,
only the stages it needs: those it is built FROM and those its COPY --from
and RUN --mount=from= name, and theirs. Any other stage is skipped. A stage
nothing uses is usually left over from a refactoring, or a COPY --from that
names the wrong stage, so the file does not build what it seems to build.
If the stage is meant to be built on its own with --target (a test or dev
stage), ignore this finding for it.`, `
FROM node:20 AS deps
COPY package*.json ./
RUN npm ci

FROM node:20 AS build
COPY . .
RUN npm ci && npm run build

FROM nginx:1.27-alpine
COPY --from=build /dist /usr/share/nginx/html`, `
FROM node:20 AS deps
COPY package*.json ./
RUN npm ci

FROM deps AS build
COPY . .
RUN npm run build

FROM nginx:1.27-alpine
COPY --from=build /dist /usr/share/nginx/html`),
	Run: unreachableStage,
}

func unreachableStage(p *analysis.Pass) {
	m := p.File.Semantics()
	final := m.Final()
	if final == nil {
		return
	}
	need := m.Needs(final)
	typo := typos(m, need)
	for _, s := range m.Stages {
		if need[s.Index] {
			continue
		}
		start, end := s.NameStart, s.NameEnd
		what := "stage " + strconv.Quote(s.Name)
		if s.Name == "" || end <= start {
			start, end = baseRange(s)
			what = "stage " + strconv.Itoa(s.Index) + " (FROM " + s.BaseName + ")"
		}
		msg := what + " is not used by the final stage, so docker build without --target skips it; remove it or use it with COPY --from, unless it is a target built on its own with --target"
		if d, ok := typo[s.Name]; ok && s.Name != "" {
			msg = fmt.Sprintf("%s is not used by the final stage, but --from=%s on line %d names no stage: did you mean %q?",
				what, d.Ref, p.File.LineOf(d.Start)+1, s.Name)
		}
		p.Report(analysis.Diagnostic{Start: start, End: end, Instruction: s.From, Message: msg})
	}
}

// typos maps the names of unused stages to the COPY --from or RUN
// --mount from= of a needed stage that names no stage and is nearest to
// that name (`--from=biuld` for "build").
func typos(m *analysis.Model, need []bool) map[string]analysis.Dep {
	var typo map[string]analysis.Dep
	var names []string
	for _, s := range m.Stages {
		if !need[s.Index] {
			continue
		}
		for _, d := range s.Deps {
			if d.Stage != nil || strings.ContainsAny(d.Ref, "$/:@") {
				continue
			}
			if names == nil {
				for _, o := range m.Stages {
					if !need[o.Index] && o.Name != "" {
						names = append(names, o.Name)
					}
				}
			}
			if n := analysis.Suggest(strings.ToLower(d.Ref), names); n != "" {
				if typo == nil {
					typo = map[string]analysis.Dep{}
				}
				typo[n] = d
			}
		}
	}
	return typo
}
