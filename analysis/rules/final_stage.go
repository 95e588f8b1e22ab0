// This file holds what the rules about the final image share: the URL of
// dockwise's own rule documentation, where an image is named, and the
// ranges of exec-form arguments.
package rules

import (
	"strings"

	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// docURL returns the documentation URL of one of dockwise's own rules.
func docURL(name string) string {
	return "https://github.com/dockwise/dockwise/blob/main/docs/RULES.md#" + strings.ToLower(name)
}

// baseRange returns the range of the base image name of a stage's FROM.
func baseRange(s *analysis.Stage) (int, int) {
	if s.BaseEnd > s.BaseStart {
		return s.BaseStart, s.BaseEnd
	}
	return s.From.KeywordRange()
}

// imageName returns the image of a stage as the messages name it.
func imageName(im analysis.BaseImage) string {
	if im.Ref == "" {
		return "the base image"
	}
	return im.Ref
}

// execArgRange returns the range of the i-th string of an exec-form
// (JSON array) instruction, such as "sh" in `CMD ["sh", "-c", "x"]`; ok is
// false when it cannot be located.
func execArgRange(in *analysis.Instruction, i int) (int, int, bool) {
	src := in.Source()
	_, ke := in.KeywordRange()
	at := ke - in.Start()
	if at < 0 || at > len(src) {
		return 0, 0, false
	}
	open := strings.IndexByte(src[at:], '[')
	if open < 0 {
		return 0, 0, false
	}
	p := at + open + 1
	for n := 0; p < len(src); n++ {
		q := strings.IndexByte(src[p:], '"')
		if q < 0 {
			return 0, 0, false
		}
		start := p + q + 1
		end := start
		for end < len(src) && src[end] != '"' {
			if src[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(src) {
			return 0, 0, false
		}
		if n == i {
			return in.Start() + start, in.Start() + end, true
		}
		p = end + 1
	}
	return 0, 0, false
}

// isShellProgram reports whether an exec-form program is a POSIX shell.
func isShellProgram(prog string) bool {
	return analysis.IsPOSIXShell([]string{prog}) && !strings.HasSuffix(prog, "busybox")
}

// runsCommand reports whether the stage or a stage it is built FROM has a
// CMD or ENTRYPOINT: a container can be started from it without naming a
// program.
func runsCommand(s *analysis.Stage) bool {
	for _, t := range s.Chain() {
		for _, in := range t.Instructions {
			switch in.Command().(type) {
			case *instructions.CmdCommand, *instructions.EntrypointCommand:
				return true
			}
		}
	}
	return false
}

// isDevStage reports whether a final stage is named as a development
// environment (`dev`, `devcontainer`, `dev-envs`, ...): such a target is
// meant to carry tools and often root, so the runtime-image rules leave it
// alone.
func isDevStage(s *analysis.Stage) bool {
	switch s.Name {
	case "dev", "devel", "develop", "development", "devenv", "dev-env", "dev-envs", "devcontainer", "dev-container":
		return true
	}
	return false
}
