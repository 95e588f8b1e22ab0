// This file defines MissingDockerignore: the whole build context is copied
// and nothing keeps .git, dependencies or secrets out of it.
package rules

import (
	"fmt"

	"github.com/dockwise/dockwise/analysis"
)

// MissingDockerignore reports the first COPY or ADD of the whole context
// (`.`, `./`, `*`) when the context has neither a .dockerignore nor a
// `<Dockerfile>.dockerignore`. It needs the build context, and is quiet
// when the context directory holds nothing but Dockerfiles (the file is
// then built from another directory).
var MissingDockerignore = &analysis.Rule{
	Name:        "MissingDockerignore",
	Category:    analysis.Size,
	Severity:    analysis.SeverityWarning,
	Description: "The whole build context is copied and there is no .dockerignore",
	URL:         "https://github.com/dockwise/dockwise/blob/main/docs/RULES.md#missingdockerignore",
	Doc: doc(`
A COPY or ADD of the whole build context (".", "./" or "*") sends everything in
the context directory to the builder and into the image: the .git history,
node_modules or target/ built on the host, .env files and keys. Any change to
any of them, even a commit, invalidates the layer cache of the COPY and every
step after it. A .dockerignore beside the Dockerfile (or a
<Dockerfile>.dockerignore) keeps them out. The finding is on the first
instruction that copies the whole context; it needs the build context, and
says nothing when it is unknown.`, `
# no .dockerignore in the context
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .`, `
# .dockerignore:
#   .git
#   node_modules
#   .env*
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .`),
	Run: func(p *analysis.Pass) {
		ctx := p.Context
		if ctx == nil || ctx.HasDockerignore() || ctx.Scan(".") == nil || onlyDockerfiles(ctx.Scan(".")) {
			return
		}
		m := p.File.Semantics()
		a, ok := firstWholeContextCopy(m)
		if !ok {
			return
		}
		want := wantIgnored(ctx, m)
		msg := fmt.Sprintf("%s sends the whole build context to the builder and there is no .dockerignore", copyText(a))
		if found := existing(ctx, want); len(found) > 0 {
			msg = fmt.Sprintf("%s sends the whole build context to the builder, %s included, and there is no .dockerignore",
				copyText(a), list(found))
		}
		if len(want) > 0 {
			msg += fmt.Sprintf("; add one that excludes %s", list(want))
		} else {
			msg += "; add one that excludes what the image does not need"
		}
		p.Report(analysis.Diagnostic{Start: a.Start, End: a.End, Instruction: a.Instruction, Message: msg})
	},
}
