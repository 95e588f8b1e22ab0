// This file defines UndefinedVar, BuildKit's check that the variables
// BuildKit expands are defined.
package rules

import (
	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// UndefinedVar reports a variable, in text BuildKit itself expands (ENV,
// LABEL, COPY, ADD, WORKDIR, USER, VOLUME, STOPSIGNAL, ARG defaults, RUN
// --mount options, COPY/ADD heredocs), that no ARG, ENV or base image
// defines at that point. BuildKit learns the base image's variables from its
// registry; dockwise knows those of common official images (see
// analysis/images.go) and stays quiet for variables of stages built from any
// other image.
var UndefinedVar = &analysis.Rule{
	Name:        linter.RuleUndefinedVar.Name,
	Category:    analysis.Correctness,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleUndefinedVar.Description,
	URL:         linter.RuleUndefinedVar.URL,
	BuildKit:    true,
	Doc: doc(`
An undefined variable expands to an empty string without an error, so
"COPY $APP_DIR/config /etc/app" quietly becomes "COPY /config /etc/app". The
check follows ARG and ENV definitions stage by stage (an ARG is only visible
after its declaration, and a global ARG must be declared again inside the
stage) and suggests the nearest defined name when it looks like a typo. The
shell text of RUN, CMD and ENTRYPOINT is left alone: the shell expands it at
run time.`, `
FROM alpine:3.20
ENV APP_HOME=/srv/app
COPY config.yml $APP_HOEM/config.yml`, `
FROM alpine:3.20
ENV APP_HOME=/srv/app
COPY config.yml $APP_HOME/config.yml`),
	Run: func(p *analysis.Pass) {
		for _, s := range p.File.Semantics().Stages {
			for _, r := range s.UndefinedVars() {
				p.Report(analysis.Diagnostic{Start: r.Start, End: r.End, Instruction: r.Instruction,
					Message: linter.RuleUndefinedVar.Format(r.Name, r.Suggest)})
			}
		}
	},
}
