// This file defines DockerignoreMissingEntries: the .dockerignore lets
// through what a whole-context COPY should never send.
package rules

import (
	"fmt"
	"path/filepath"

	"github.com/dockwise/dockwise/analysis"
)

// DockerignoreMissingEntries reports, on the first COPY or ADD of the whole
// context, the paths the context's .dockerignore does not exclude but
// should: .git; node_modules beside a package.json; .env files and key
// material it holds; the build outputs of the ecosystems it holds. Paths
// are judged with the ignore file's real semantics (`**/.git`, `.*` and `!`
// exceptions count), and paths the Dockerfile copies by name are never
// asked for. It needs the build context.
var DockerignoreMissingEntries = &analysis.Rule{
	Name:        "DockerignoreMissingEntries",
	Category:    analysis.Size,
	Severity:    analysis.SeverityWarning,
	Description: "The .dockerignore lets the whole-context COPY send .git, dependencies, secrets or build outputs",
	URL:         "https://github.com/dockwise/dockwise/blob/main/docs/RULES.md#dockerignoremissingentries",
	Doc: doc(`
A .dockerignore keeps out of the build what a COPY of the whole context would
otherwise send: the .git directory (always), node_modules next to a
package.json, .env files and keys (*.pem, *.key, id_rsa), and what local
builds leave behind: target/ for Maven and Cargo, build/ and .gradle/ for
Gradle, __pycache__/ and the virtual environment for Python, bin/ and obj/ for
.NET, dist/ or .next/ next to a package.json. Anything the Dockerfile copies by
name is never asked for. Entries are checked the way the builder reads the
file, so "**/.git" or ".*" count.`, `
# .dockerignore:
#   *.log
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .`, `
# .dockerignore:
#   *.log
#   .git
#   .env
#   **/__pycache__
#   .venv
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .`),
	Run: func(p *analysis.Pass) {
		ctx := p.Context
		if !ctx.HasDockerignore() || ctx.Scan(".") == nil {
			return
		}
		m := p.File.Semantics()
		a, ok := firstWholeContextCopy(m)
		if !ok {
			return
		}
		var missing []string
		for _, p := range wantIgnored(ctx, m) {
			if !ctx.Ignored(p) {
				missing = append(missing, p)
			}
		}
		if len(missing) == 0 {
			return
		}
		them := "them"
		if len(missing) == 1 {
			them = "it"
		}
		p.Report(analysis.Diagnostic{Start: a.Start, End: a.End, Instruction: a.Instruction,
			Message: fmt.Sprintf("%s does not exclude %s, which %s sends to the builder; add %s there",
				filepath.Base(ctx.DockerignorePath()), list(missing), copyText(a), them)})
	},
}
