// This file defines SecretsUsedInArgOrEnv, BuildKit's check for ARG and ENV
// keys that look like they hold secrets.
package rules

import (
	"strings"

	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// BuildKit's word lists: a key is suspect when one of its `_`-separated
// words is a secret word (case-insensitively), unless one is an allowed
// word. BuildKit matches them with regular expressions of the form
// `(?i)(?:_|^)(?:word|...)(?:_|$)`; comparing the words is the same test.
var (
	secretWords = []string{"apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd", "secret", "token"}
	allowWords  = []string{"public", "file", "version"}
)

func hasWord(key string, words []string) bool {
	for key != "" {
		var w string
		w, key, _ = strings.Cut(key, "_")
		for _, s := range words {
			if strings.EqualFold(w, s) {
				return true
			}
		}
	}
	return false
}

func isSecretKey(key string) bool { return hasWord(key, secretWords) && !hasWord(key, allowWords) }

// SecretsUsedInArgOrEnv reports ARG and ENV keys inside stages that name a
// secret (ARGs before the first FROM are not checked, as in BuildKit).
var SecretsUsedInArgOrEnv = &analysis.Rule{
	Name:        linter.RuleSecretsUsedInArgOrEnv.Name,
	Category:    analysis.Security,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleSecretsUsedInArgOrEnv.Description,
	URL:         linter.RuleSecretsUsedInArgOrEnv.URL,
	BuildKit:    true,
	Doc: doc(`
Values passed with ARG and ENV are not secret: ENV values are stored in the
image configuration, and ARG values show up in the image history and in build
provenance, where anyone who can pull the image can read them. Pass secrets
with a secret mount ("RUN --mount=type=secret"), which makes them available to
one instruction without storing them. The check goes by the name: a key with
a word such as TOKEN, PASSWORD, SECRET or KEY, unless it is a PUBLIC, FILE or
VERSION key.`, `
FROM alpine:3.20
ARG GITHUB_TOKEN
RUN wget --header="Authorization: token $GITHUB_TOKEN" https://example.com/pkg.tgz`, `
FROM alpine:3.20
RUN --mount=type=secret,id=github_token,env=GITHUB_TOKEN \
    wget --header="Authorization: token $GITHUB_TOKEN" https://example.com/pkg.tgz`),
	Run: func(p *analysis.Pass) {
		for _, role := range []analysis.ArgRole{analysis.RoleEnvKey, analysis.RoleArgKey} {
			selectArgs(p, role, func(a analysis.Arg) bool { return a.Value.Known && isSecretKey(a.Value.S) }, func(a analysis.Arg) {
				kind := "ENV"
				if a.Role == analysis.RoleArgKey {
					kind = "ARG"
				}
				p.Report(analysis.Diagnostic{Start: a.Start, End: a.End, Instruction: a.Instruction,
					Message: linter.RuleSecretsUsedInArgOrEnv.Format(kind, a.Value.S)})
			})
		}
	},
}
