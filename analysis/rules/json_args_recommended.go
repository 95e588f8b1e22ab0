// This file defines JSONArgsRecommended, BuildKit's check for CMD and
// ENTRYPOINT in shell form.
package rules

import (
	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// JSONArgsRecommended reports CMD and ENTRYPOINT in shell form when no
// SHELL is in effect. BuildKit also stays quiet when the base image's
// configuration sets a shell; dockwise does not read image configurations
// and assumes it does not (official images do not set one).
var JSONArgsRecommended = &analysis.Rule{
	Name:        linter.RuleJSONArgsRecommended.Name,
	Category:    analysis.Correctness,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleJSONArgsRecommended.Description,
	URL:         linter.RuleJSONArgsRecommended.URL,
	BuildKit:    true,
	Hadolint:    []string{"DL3025"},
	Doc: doc(`
In shell form, "CMD node server.js" runs as "/bin/sh -c 'node server.js'": the
shell becomes process 1 and does not pass SIGTERM on to the program, so
"docker stop" waits for its timeout and then kills the container without a
clean shutdown. The exec (JSON array) form starts the program directly. If a
shell is really wanted, say so with SHELL or run it explicitly in exec form.`, `
FROM node:20-alpine
COPY . /app
CMD node /app/server.js`, `
FROM node:20-alpine
COPY . /app
CMD ["node", "/app/server.js"]`),
	Run: func(p *analysis.Pass) {
		for _, s := range p.File.Semantics().Stages {
			for _, in := range s.ShellFormCommands() {
				st, e, _ := in.ShellForm()
				p.Report(analysis.Diagnostic{Start: st, End: e, Instruction: in,
					Message: linter.RuleJSONArgsRecommended.Format(in.Keyword())})
			}
		}
	},
}
