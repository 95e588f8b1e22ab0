// This file defines ExposeProtoCasing, BuildKit's check that EXPOSE
// protocols are lowercase.
package rules

import (
	"strings"

	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// ExposeProtoCasing reports an EXPOSE port whose protocol is not lowercase.
var ExposeProtoCasing = &analysis.Rule{
	Name:        linter.RuleExposeProtoCasing.Name,
	Category:    analysis.BestPractice,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleExposeProtoCasing.Description,
	URL:         linter.RuleExposeProtoCasing.URL,
	BuildKit:    true,
	Doc: doc(`
The protocol of an exposed port is recorded in the image in lowercase
whatever way it is written, so "8080/TCP" and "8080/tcp" mean the same. Write
it in lowercase so the Dockerfile matches what "docker inspect" shows.`, `
FROM nginx:1.27
EXPOSE 80/TCP 53/UDP`, `
FROM nginx:1.27
EXPOSE 80/tcp 53/udp`),
	Run: func(p *analysis.Pass) {
		selectArgs(p, analysis.RolePort, func(a analysis.Arg) bool {
			_, _, proto, ok := exposePort(a.Value.S)
			return a.Value.Known && ok && proto != strings.ToLower(proto)
		}, func(a analysis.Arg) {
			p.Report(analysis.Diagnostic{Start: a.Start, End: a.End, Instruction: a.Instruction,
				Message: linter.RuleExposeProtoCasing.Format(a.Value.S)})
		})
	},
}
