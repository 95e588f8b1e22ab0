// This file defines RootRuntimeUser: the image the Dockerfile produces
// runs its process as root.
package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// RootRuntimeUser judges the final stage only, through the stages it is
// built FROM: a USER in a builder stage does not change who runs the
// container.
var RootRuntimeUser = &analysis.Rule{
	Name:        "RootRuntimeUser",
	Category:    analysis.Security,
	Severity:    analysis.SeverityWarning,
	Description: "The final stage runs as root",
	URL:         docURL("RootRuntimeUser"),
	Hadolint:    []string{"DL3002"},
	Doc: doc(`
A container runs as the last USER of the stage it is built from, and as the
base image's user when there is none; for almost every base image that is
root. A process running as root inside the container turns any vulnerability
of the application into root access to the container's files, and into a
much shorter path out of the container. Only the final stage matters: a USER
in a build stage does not change who runs the image.

Switch to an unprivileged user once the steps that need root are done. Many
images provide one (node images have "node", .NET 8 images have "app");
others need one created. Images that already run as a non-root user
(gcr.io/distroless/*:nonroot, Chainguard images, nginxinc/nginx-unprivileged)
need nothing.

A Dockerfile that builds a base image rather than an application is left
alone when it has no USER: one whose command is a shell, an interactive
interpreter (python3, irb, php -a) or none, whose ENTRYPOINT, if any, is an
entrypoint script, and that copies nothing from the build context but
scripts into bin directories, like the official language images. The
Dockerfiles built FROM it choose their user. A scratch image whose command is
a WebAssembly module (run by a Wasm runtime, not as a Linux process) is left
alone too.`, `
FROM golang:1.23 AS build
RUN useradd builder
USER builder
RUN go build -o /tmp/app .

FROM node:20-slim
COPY --from=build /tmp/app /usr/local/bin/app
CMD ["app"]`, `
FROM golang:1.23 AS build
RUN go build -o /tmp/app .

FROM node:20-slim
COPY --from=build /tmp/app /usr/local/bin/app
USER node
CMD ["app"]`),
	Run: rootRuntimeUser,
}

func rootRuntimeUser(p *analysis.Pass) {
	m := p.File.Semantics()
	final := m.Final()
	if final == nil || final.OS() == "windows" || isDevStage(final) {
		return
	}
	im := final.Image()
	if im.Windows {
		return
	}
	// The USER that wins is the last one of the chain of stages.
	var last *analysis.Arg
	for _, s := range final.Chain() {
		for a := range s.ArgsOf(analysis.RoleUser) {
			if last == nil || a.Start > last.Start {
				a := a
				last = &a
			}
		}
	}
	if last != nil {
		if last.Value.Known && analysis.IsRootUser(last.Value.S) && !dropsPrivileges(final) {
			p.Report(analysis.Diagnostic{Start: last.Start, End: last.End, Instruction: last.Instruction,
				Message: fmt.Sprintf("the final stage runs as root because its last USER is %q: %s", last.Value.S, switchUser(im))})
		}
		return
	}
	if !im.RootByDefault() || dropsPrivileges(final) || buildsBaseImage(final) {
		return
	}
	if im.Scratch() && (!runsCommand(final) || runsWasm(final)) {
		return // an image of files (for --output or COPY --from), not a container
	}
	s, e := baseRange(final)
	p.Report(analysis.Diagnostic{Start: s, End: e, Instruction: final.From,
		Message: fmt.Sprintf("the final stage runs as root: %s runs as root by default and no USER changes that; %s", imageName(im), switchUser(im))})
}

// runsWasm reports whether the stage's ENTRYPOINT (or CMD without one)
// names a WebAssembly module: a Wasm runtime runs it, not a Linux process
// with a user.
func runsWasm(s *analysis.Stage) bool {
	entry, cmd := startCommand(s)
	prog := entry
	if len(prog) == 0 {
		prog = cmd
	}
	return len(prog) > 0 && strings.HasSuffix(prog[0], ".wasm")
}

// startCommand returns the ENTRYPOINT and CMD the stage's image starts
// with, from the stage and the stages it is built FROM, as words (a shell
// form split at blanks). As in BuildKit, an ENTRYPOINT clears the CMD
// inherited from a parent stage, not one set in its own stage.
func startCommand(s *analysis.Stage) (entry, cmd []string) {
	words := func(line []string, shell bool) []string {
		if shell && len(line) == 1 {
			return strings.Fields(line[0])
		}
		return line
	}
	chain := s.Chain()
	for i := len(chain) - 1; i >= 0; i-- { // the root first
		cmdHere := false
		for _, in := range chain[i].Instructions {
			switch c := in.Command().(type) {
			case *instructions.CmdCommand:
				cmd, cmdHere = words(c.CmdLine, c.PrependShell), true
			case *instructions.EntrypointCommand:
				entry = words(c.CmdLine, c.PrependShell)
				if !cmdHere {
					cmd = nil
				}
			}
		}
	}
	return entry, cmd
}

// switchUser says how to run the image as a non-root user.
func switchUser(im analysis.BaseImage) string {
	switch {
	case im.RuntimeUser == "app" && im.Family == analysis.FamilyDotnet:
		return "add `USER $APP_UID` (the image's non-root \"app\" user) after the steps that need root"
	case im.RuntimeUser != "":
		return fmt.Sprintf("add `USER %s` (the image's non-root user) after the steps that need root", im.RuntimeUser)
	case im.Family == analysis.FamilyDistroless:
		return "use the image's :nonroot tag or add `USER nonroot`"
	case im.Family == analysis.FamilyNginx:
		return "use nginxinc/nginx-unprivileged or add a non-root USER"
	case im.Scratch():
		return "add a numeric non-root USER such as `USER 65534`"
	}
	return "create an unprivileged user and switch to it with USER after the steps that need root"
}

// dropsPrivileges reports whether the stage's ENTRYPOINT or CMD starts
// the program through a tool that switches to another user (gosu,
// su-exec, setpriv, ...), or the stage installs gosu or su-exec for its
// entrypoint script: the container starts as root by design.
func dropsPrivileges(s *analysis.Stage) bool {
	for _, t := range s.Chain() {
		if factsOf(t).privDrop {
			return true
		}
		for _, in := range t.Instructions {
			var args []string
			switch c := in.Command().(type) {
			case *instructions.EntrypointCommand:
				args = c.CmdLine
			case *instructions.CmdCommand:
				args = c.CmdLine
			default:
				continue
			}
			if len(args) == 0 {
				continue
			}
			prog := args[0]
			if f := strings.Fields(prog); len(f) > 0 {
				prog = f[0] // a shell form's command line
			}
			switch path.Base(prog) {
			case "gosu", "su-exec", "setpriv", "runuser", "s6-setuidgid", "chpst", "setuidgid":
				return true
			}
		}
	}
	return false
}

// buildsBaseImage reports whether the final stage makes an image meant to
// be built FROM, or not run at all, rather than an application (a language
// runtime, a toolbox, a build-time check): its command is absent, a shell,
// an interactive interpreter or a launcher script it installs itself, its
// ENTRYPOINT (if any) is an entrypoint script that hands over to that
// command, and nothing that ends up in the image comes from the build
// context but scripts into bin directories (an application's files come
// from the context, often through a build stage). Stages only mounted into
// a RUN put nothing into the image.
func buildsBaseImage(s *analysis.Stage) bool {
	shipped := map[*analysis.Stage]bool{}
	var visit func(t *analysis.Stage)
	visit = func(t *analysis.Stage) {
		for ; t != nil && !shipped[t]; t = t.Parent {
			shipped[t] = true
			for _, d := range t.Deps {
				if d.Kind == analysis.CopyFrom {
					visit(d.Stage)
				}
			}
		}
	}
	visit(s)
	chain := s.Chain()
	launchers := map[string]bool{} // scripts installed into bin directories
	for t := range shipped {
		for _, in := range t.Instructions {
			var sd instructions.SourcesAndDest
			switch c := in.Command().(type) {
			case *instructions.CopyCommand:
				if c.From != "" {
					continue
				}
				sd = c.SourcesAndDest
				if !copiesScripts(sd, false) {
					return false
				}
			case *instructions.AddCommand:
				sd = c.SourcesAndDest
				if !copiesScripts(sd, true) {
					return false
				}
			default:
				continue
			}
			if slices.Contains(chain, t) && inBinDir(sd.DestPath) {
				for _, src := range sd.SourcePaths {
					launchers[path.Base(src)] = true
				}
			}
		}
	}
	entry, cmd := startCommand(s)
	if len(entry) > 0 && !strings.Contains(path.Base(entry[0]), "entrypoint") {
		return false
	}
	return len(cmd) == 0 || isInteractive(cmd) || launchers[path.Base(cmd[0])]
}

// copiesScripts reports whether a COPY or ADD from the build context only
// installs scripts: into a bin directory, or entrypoint scripts (*.sh or
// named *entrypoint*) into / or /docker-entrypoint.d. For ADD, remote
// sources do not come from the context.
func copiesScripts(sd instructions.SourcesAndDest, add bool) bool {
	if len(sd.SourceContents) > 0 {
		return false // heredoc files: written here, not scripts from the context
	}
	if inBinDir(sd.DestPath) {
		return true
	}
	dest := path.Clean(sd.DestPath)
	if dest != "/" && dest != "/docker-entrypoint.d" && !strings.HasPrefix(dest, "/docker-entrypoint.d/") &&
		!strings.Contains(path.Base(dest), "entrypoint") {
		return false
	}
	for _, src := range sd.SourcePaths {
		if add && (strings.Contains(src, "://") || strings.HasPrefix(src, "git@")) {
			continue
		}
		if base := path.Base(src); !strings.HasSuffix(base, ".sh") && !strings.Contains(base, "entrypoint") {
			return false
		}
	}
	return true
}

// inBinDir reports whether a COPY destination is a directory of programs.
func inBinDir(dest string) bool {
	d := path.Clean(dest)
	if !strings.HasSuffix(dest, "/") {
		d = path.Dir(d) // a file named in the destination
	}
	switch d {
	case "/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin":
		return true
	}
	return false
}

// isInteractive reports whether a command line starts a shell or an
// interpreter's interactive prompt: the program, then only options.
func isInteractive(cmd []string) bool {
	prog := path.Base(cmd[0])
	for _, a := range cmd[1:] {
		if !strings.HasPrefix(a, "-") {
			return false
		}
	}
	switch prog {
	case "sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "fish", "pwsh", "powershell", "cmd",
		"irb", "node", "ghci", "iex", "erl", "jshell", "lua", "R", "julia", "bun", "deno":
		return true
	case "php":
		return len(cmd) > 1 // php -a; plain php reads a script from stdin
	}
	return prog == "python" || strings.HasPrefix(prog, "python") && strings.Trim(prog[len("python"):], "0123456789.") == ""
}
