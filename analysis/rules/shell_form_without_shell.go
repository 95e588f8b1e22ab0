// This file defines ShellFormWithoutShell: a command that needs /bin/sh in
// a stage whose image has none.
package rules

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// ShellFormWithoutShell reports, in stages based on scratch or a shell-less
// image (distroless, Chainguard, chiseled; not their debug or -dev tags),
// shell-form RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD, and exec forms that
// call a shell. It stays quiet after the stage copies in what may be a
// shell, and when a SHELL instruction is in effect.
var ShellFormWithoutShell = &analysis.Rule{
	Name:        "ShellFormWithoutShell",
	Category:    analysis.Correctness,
	Severity:    analysis.SeverityError,
	Description: "A command needs a shell the base image does not have",
	URL:         docURL("ShellFormWithoutShell"),
	Doc: doc(`
The shell form of RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD runs its command
with "/bin/sh -c". scratch, the distroless images, Chainguard's runtime images
and .NET's chiseled images have no /bin/sh: a shell-form RUN fails the build,
and a shell-form CMD, ENTRYPOINT or health check fails when the container
starts ("exec: /bin/sh: no such file or directory"), as does an exec form that
calls sh or bash. Use the exec form with the program itself, do the work in a
build stage, or use the image's :debug (distroless) or -dev (Chainguard) tag
where a shell is really needed.`, `
FROM golang:1.23 AS build
RUN CGO_ENABLED=0 go build -o /app .

FROM gcr.io/distroless/static-debian12
COPY --from=build /app /app
CMD /app --port 8080`, `
FROM golang:1.23 AS build
RUN CGO_ENABLED=0 go build -o /app .

FROM gcr.io/distroless/static-debian12
COPY --from=build /app /app
CMD ["/app", "--port", "8080"]`),
	Run: shellFormWithoutShell,
}

func shellFormWithoutShell(p *analysis.Pass) {
	for _, s := range p.File.Semantics().Stages {
		im := s.Image()
		if !im.NoShell() || s.OS() == "windows" {
			continue
		}
		// Walk the chain from the stage that names the image, so that a
		// shell copied in by a parent stage counts.
		chain := s.Chain()
		shell := false
		for i := len(chain) - 1; i >= 0 && !shell; i-- {
			for _, in := range chain[i].Instructions {
				if mayBringShell(in) {
					shell = true
					break
				}
				if i == 0 && !mountsShell(in) {
					shellFormIn(p, in, im)
				}
			}
		}
	}
}

// shellFormIn reports an instruction that needs /bin/sh.
func shellFormIn(p *analysis.Pass, in *analysis.Instruction, im analysis.BaseImage) {
	report := func(start, end int, what string) {
		p.Report(analysis.Diagnostic{Start: start, End: end, Instruction: in,
			Message: fmt.Sprintf("%s, but %s has no shell; %s", what, imageName(im), noShellFix(in, im))})
	}
	switch c := in.Command().(type) {
	case *instructions.RunCommand:
		if c.PrependShell {
			s, e := runCommandRange(in)
			report(s, e, "this shell-form RUN runs with /bin/sh")
		} else if len(c.CmdLine) > 0 && isShellProgram(c.CmdLine[0]) {
			if s, e, ok := execArgRange(in, 0); ok {
				report(s, e, fmt.Sprintf("this RUN calls %s", c.CmdLine[0]))
			}
		}
	case *instructions.CmdCommand:
		execOrShell(in, c.PrependShell, c.CmdLine, report)
	case *instructions.EntrypointCommand:
		execOrShell(in, c.PrependShell, c.CmdLine, report)
	case *instructions.HealthCheckCommand:
		if c.Health == nil || len(c.Health.Test) < 2 {
			return
		}
		switch c.Health.Test[0] {
		case "CMD-SHELL":
			if s, e, ok := healthcheckCommandRange(in); ok {
				report(s, e, "this shell-form HEALTHCHECK CMD runs with /bin/sh")
			}
		case "CMD":
			if isShellProgram(c.Health.Test[1]) {
				if s, e, ok := execArgRange(in, 0); ok {
					report(s, e, fmt.Sprintf("this health check calls %s", c.Health.Test[1]))
				}
			}
		}
	}
}

func execOrShell(in *analysis.Instruction, shellForm bool, args []string, report func(int, int, string)) {
	kw := strings.ToUpper(in.Keyword())
	if shellForm {
		if s, e, ok := in.ShellForm(); ok {
			report(s, e, fmt.Sprintf("this shell-form %s runs with /bin/sh", kw))
		}
		return
	}
	if len(args) > 0 && isShellProgram(args[0]) {
		if s, e, ok := execArgRange(in, 0); ok {
			report(s, e, fmt.Sprintf("this %s calls %s", kw, args[0]))
		}
	}
}

// noShellFix says what to do instead.
func noShellFix(in *analysis.Instruction, im analysis.BaseImage) string {
	debug := ""
	switch im.Family {
	case analysis.FamilyDistroless:
		debug = " or use the :debug tag"
	case analysis.FamilyChainguard:
		debug = " or use the -dev tag"
	}
	if in.Is("run") {
		return "do this work in a build stage and COPY the result" + debug
	}
	if s, e, ok := in.ShellForm(); ok {
		if exec := execForm(in.File().Text[s:e]); exec != "" {
			return fmt.Sprintf("write it in exec form, `%s %s`%s", strings.ToUpper(in.Keyword()), exec, debug)
		}
	}
	return "call the program directly in exec form (`[\"/app\", \"--flag\"]`) and move any shell logic into it" + debug
}

// execForm returns the exec form of a shell-form command made of plain
// words, or "" when it uses shell syntax.
func execForm(cmd string) string {
	if strings.ContainsAny(cmd, "|&;<>$`'\"*?()[]{}~#\\\n") {
		return ""
	}
	fields := strings.Fields(cmd)
	if len(fields) == 0 || strings.Contains(fields[0], "=") {
		return "" // an assignment before the command
	}
	for i, f := range fields {
		fields[i] = strconv.Quote(f)
	}
	return "[" + strings.Join(fields, ", ") + "]"
}

// runCommandRange returns the range of a shell-form RUN's command.
func runCommandRange(in *analysis.Instruction) (int, int) {
	if s, e := in.CommandRange(); s < e {
		return s, e
	}
	return in.KeywordRange()
}

// healthcheckCommandRange returns the range of the command after
// HEALTHCHECK's CMD.
func healthcheckCommandRange(in *analysis.Instruction) (int, int, bool) {
	src := in.Source()
	_, ke := in.KeywordRange()
	at := ke - in.Start()
	if at < 0 || at > len(src) {
		return 0, 0, false
	}
	fields := strings.Fields(src[at:])
	pos := at
	for _, f := range fields {
		i := strings.Index(src[pos:], f)
		if i < 0 {
			return 0, 0, false
		}
		pos += i + len(f)
		if strings.EqualFold(f, "cmd") {
			rest := src[pos:]
			trimmed := strings.TrimLeft(rest, " \t")
			start := pos + len(rest) - len(trimmed)
			return in.Start() + start, in.End(), start < len(src)
		}
	}
	return 0, 0, false
}

// mayBringShell reports whether an instruction may put a shell into the
// image (a copied busybox or sh, a whole file system, an unpacked
// archive) or chooses one with SHELL; after it the rule stays quiet.
func mayBringShell(in *analysis.Instruction) bool {
	var sd instructions.SourcesAndDest
	add := false
	switch c := in.Command().(type) {
	case *instructions.ShellCommand:
		return true
	case *instructions.CopyCommand:
		sd = c.SourcesAndDest
	case *instructions.AddCommand:
		sd, add = c.SourcesAndDest, true
	case *instructions.RunCommand:
		// `RUN ["/bin/busybox", "--install"]` and the like.
		return !c.PrependShell && len(c.CmdLine) > 0 && strings.Contains(path.Base(c.CmdLine[0]), "busybox")
	default:
		return false
	}
	switch path.Clean("/" + sd.DestPath) {
	case "/", "/bin", "/bin/sh", "/usr", "/usr/bin":
		return true
	}
	for _, src := range sd.SourcePaths {
		base := path.Base(strings.TrimRight(src, "/"))
		if src == "/" || src == "." || add && isArchive(base) || strings.Contains(src, "$") {
			return true
		}
		switch base {
		case "sh", "bash", "ash", "dash", "busybox", "zsh", "ksh", "mksh":
			return true
		}
	}
	return false
}

// mountsShell reports whether a RUN mounts what may be a shell over
// /bin (`--mount=from=busybox,source=/bin,target=/bin`).
func mountsShell(in *analysis.Instruction) bool {
	for _, m := range in.Mounts() {
		switch path.Clean("/" + m.Target) {
		case "/", "/bin", "/bin/sh", "/usr", "/usr/bin":
			return true
		}
		if strings.Contains(m.From, "busybox") || strings.Contains(m.Target, "$") {
			return true
		}
	}
	return false
}

func isArchive(name string) bool {
	for _, ext := range []string{".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tar.zst"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}
