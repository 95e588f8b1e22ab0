// This file defines the fixes of SingleStageBuild (Node's is in
// single_stage_build_node.go, static front ends' in
// single_stage_build_static.go, Java's in single_stage_build_java.go,
// Python's in single_stage_build_python.go) and
// those for Go: the original
// stage becomes the builder (named `build` unless it has a name), its
// `go build` runs with CGO_ENABLED=0, and a runtime stage is added that
// holds the binary only, started by an exec-form ENTRYPOINT. Two runtimes
// are offered: gcr.io/distroless/static-debian12:nonroot, and scratch with
// the builder's CA certificates (and USER 65532:65532).
//
// The runtime stage keeps the original's runtime instructions in order,
// with their comments: WORKDIR, EXPOSE, VOLUME, LABEL, STOPSIGNAL, ENV
// (but the Go toolchain's), USER (a numeric one) and HEALTHCHECK (NONE, or
// the binary in exec form); the ENTRYPOINT (or else the CMD) becomes an
// exec-form ENTRYPOINT that runs the binary by its path, and a CMD after
// an ENTRYPOINT stays as its default arguments.
//
// No split is offered when the binary or how it is started cannot be
// known with confidence:
//   - the file has more than one stage, or the base is not a golang image;
//   - there is not exactly one `go build -o <path>` (with a literal file
//     path, in a shell-form RUN, not conditional), or it sets
//     CGO_ENABLED=1, or runs in a directory that is not known;
//   - CMD/ENTRYPOINT does not run that binary (by path, or by name from
//     a PATH directory), or needs a shell (distroless and scratch have
//     none);
//   - a runtime instruction uses a variable, a HEALTHCHECK needs a shell
//     or another program, or USER names a user (the runtime has no
//     /etc/passwd entry for it);
//   - the stage is a Rust, .NET or other build (not done yet).
//
// The split is not safe: the application may need files, libraries or
// tools of the builder at run time; the user decides.
package codeactions

import (
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/dockwise/dockwise/analysis"
)

func init() { register("SingleStageBuild", fixSingleStage) }

func fixSingleStage(in *Input, d analysis.Diagnostic) []*Action {
	if in.safeOnly {
		return nil // never safe
	}
	f := in.File
	m := f.Semantics()
	if len(m.Stages) != 1 {
		return nil
	}
	s := m.Stages[0]
	if s.From != d.Instruction || s.Parent != nil {
		return nil
	}
	switch s.Image().Family {
	case analysis.FamilyNode:
		if acts := staticSplit(in, s); acts != nil {
			return acts
		}
		return nodeSplit(in, s)
	case analysis.FamilyMaven, analysis.FamilyGradle, analysis.FamilyTemurin:
		return javaSplit(in, s)
	case analysis.FamilyPython:
		return pythonSplit(in, s)
	}
	if s.Image().Family != analysis.FamilyGo {
		return nil
	}
	plan, ok := planGoSplit(f, s)
	if !ok {
		return nil
	}
	nl := eol(f)
	fromKw := s.From.Keyword()
	kw := func(k string) string { return keywordLike(fromKw, k) }
	name, edits := builderName(s, kw)
	if plan.cgoAt >= 0 {
		edits = append(edits, Edit{Start: plan.cgoAt, End: plan.cgoAt, NewText: "CGO_ENABLED=0 "})
	}
	stage := func(base string, scratch bool) string {
		var b strings.Builder
		b.WriteString(stageBreak(f, nl))
		b.WriteString(kw("FROM") + " " + base + nl)
		for _, t := range plan.keep {
			b.WriteString(t)
		}
		if scratch {
			b.WriteString(kw("COPY") + " --from=" + name + " /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/" + nl)
		}
		b.WriteString(kw("COPY") + " --from=" + name + " " + plan.binary + " " + plan.binary + nl)
		if scratch && !plan.hasUser {
			b.WriteString(kw("USER") + " 65532:65532" + nl)
		}
		b.WriteString(plan.entryComment + kw("ENTRYPOINT") + " " + jsonArray(plan.entry) + nl)
		if plan.cmd != nil {
			b.WriteString(plan.cmdComment + kw("CMD") + " " + jsonArray(plan.cmd) + nl)
		}
		return b.String()
	}
	end := len(f.Text)
	cgo := ""
	if plan.cgoAt >= 0 {
		cgo = ", `go build` with CGO_ENABLED=0"
	}
	mk := func(base string, scratch bool, title string, preferred bool) *Action {
		es := append(slices.Clone(edits), Edit{Start: end, End: end, NewText: stage(base, scratch)})
		return &Action{Title: title + cgo, Edits: es, Preferred: preferred}
	}
	return []*Action{
		mk("gcr.io/distroless/static-debian12:nonroot", false,
			"Split into stages: build in `"+name+"`, run `"+plan.binary+"` on `gcr.io/distroless/static-debian12:nonroot`", true),
		mk("scratch", true,
			"Split into stages: build in `"+name+"`, run `"+plan.binary+"` on `scratch` with CA certificates", false),
	}
}

// goSplit is what the Go runtime stage is made of.
type goSplit struct {
	binary string   // the absolute path of the built binary
	entry  []string // the ENTRYPOINT
	cmd    []string // the CMD after the ENTRYPOINT, nil for none
	// entryComment and cmdComment are the comments that go above them.
	entryComment, cmdComment string
	keep                     []string // the runtime instructions' text, comments included, in order
	hasUser                  bool
	cgoAt                    int // where to insert CGO_ENABLED=0, or -1
}

// goToolchainEnv reports whether an ENV key only configures the Go
// toolchain, which the runtime does not have.
func goToolchainEnv(k string) bool {
	return strings.HasPrefix(k, "GO") || strings.HasPrefix(k, "CGO_") || k == "PATH"
}

func planGoSplit(f *analysis.File, s *analysis.Stage) (goSplit, bool) {
	p := goSplit{cgoAt: -1}
	var build *analysis.Command
	buildK := -1
	for k, inst := range s.Instructions {
		if !inst.Is("run") {
			continue
		}
		for _, c := range inst.Commands(s.ShellAt(inst)) {
			if c.Eco != analysis.EcoGo || c.Op != analysis.OpBuild {
				continue
			}
			if build != nil || c.Sub != "build" || c.Conditional || c.Subst || c.Nested > 0 || c.DirUnknown {
				return p, false
			}
			if run, ok := inst.Command().(*instructions.RunCommand); !ok || !run.PrependShell {
				return p, false
			}
			c := c
			build, buildK = &c, k
		}
	}
	if build == nil {
		return p, false
	}
	out, ok := build.FlagValue("-o")
	if !ok || !out.Literal || out.Text == "" || strings.HasSuffix(out.Text, "/") || strings.ContainsAny(out.Text, "$*?[ ") {
		return p, false
	}
	bin := out.Text
	if !path.IsAbs(bin) {
		dir := build.Dir
		if !path.IsAbs(dir) {
			wd, ok := workdirBefore(s, buildK)
			if !ok {
				return p, false
			}
			dir = path.Join(wd, dir)
		}
		bin = path.Join(dir, bin)
	}
	p.binary = path.Clean(bin)
	if p.binary == "/" || strings.HasSuffix(p.binary, "/.") {
		return p, false
	}
	// CGO_ENABLED: set to 0 already (in the script or an ENV before), or
	// inserted; a build that asks for cgo cannot run on a static base.
	if e, ok := build.Getenv("CGO_ENABLED"); ok {
		if e.Unset || e.Value.Text != "0" {
			return p, false
		}
	} else if v, ok := s.EnvAt(s.Instructions[buildK], "CGO_ENABLED"); ok {
		if !v.Known || v.S != "0" {
			return p, false
		}
	} else {
		p.cgoAt = build.Start
	}

	rt, ok := runtimeOf(f, s, goToolchainEnv, numericUser, func(t []string) bool {
		return t[0] == "NONE" || t[0] == "CMD" && len(t) >= 2 && t[1] == p.binary
	})
	if !ok {
		return p, false
	}
	p.keep, p.hasUser = rt.keep, rt.hasUser
	cmd, entry, hasCmd, hasEntry := rt.cmd, rt.entry, rt.hasCmd, rt.hasEntry
	// What the container runs: the ENTRYPOINT (whose CMD stays its
	// default arguments), else the CMD, which becomes the ENTRYPOINT.
	run := entry
	p.entryComment = rt.entryComment
	if !hasEntry {
		run, p.entryComment = cmd, rt.cmdComment
	} else if hasCmd {
		p.cmd, p.cmdComment = cmd, rt.cmdComment
	}
	if len(run) == 0 {
		return p, false
	}
	first := run[0]
	switch {
	case first == p.binary:
	case !strings.Contains(first, "/") && path.Base(p.binary) == first &&
		slices.Contains([]string{"/usr/local/bin", "/usr/bin", "/bin", "/go/bin", "/usr/local/sbin", "/usr/sbin"}, path.Dir(p.binary)):
	case strings.HasPrefix(first, "./") || !path.IsAbs(first) && strings.Contains(first, "/"):
		wd := s.Workdir
		if !wd.Known || path.Join(wd.S, first) != p.binary {
			return p, false
		}
	default:
		return p, false
	}
	p.entry = append([]string{p.binary}, run[1:]...)
	return p, true
}

// execWords returns the words of a CMD or ENTRYPOINT: its exec form, or a
// shell form that uses nothing of the shell (plain words).
func execWords(inst *analysis.Instruction) ([]string, bool) {
	var line []string
	var shell bool
	switch c := inst.Command().(type) {
	case *instructions.CmdCommand:
		line, shell = c.CmdLine, c.PrependShell
	case *instructions.EntrypointCommand:
		line, shell = c.CmdLine, c.PrependShell
	default:
		return nil, false
	}
	if !shell {
		return line, true
	}
	if len(line) != 1 || strings.ContainsAny(line[0], "$`'\"\\;&|<>(){}*?[]~#=\n") {
		return nil, false
	}
	words := strings.Fields(line[0])
	if len(words) > 0 && (words[0] == "exec" || words[0] == "cd") {
		return nil, false
	}
	return words, len(words) > 0
}

// numericUser reports whether a USER value is a uid or uid:gid.
func numericUser(u string) bool {
	for _, part := range strings.SplitN(u, ":", 2) {
		if _, err := strconv.ParseUint(part, 10, 32); err != nil {
			return false
		}
	}
	return true
}

// runtimeParts is what a runtime stage keeps of the original stage.
type runtimeParts struct {
	keep             []string // the instructions' text, comments included, in order
	hasUser          bool
	cmd, entry       []string
	hasCmd, hasEntry bool
	// cmdComment and entryComment are the comment lines above them.
	cmdComment, entryComment string
}

// builderName returns the name the runtime stage copies from: the stage's
// own, or "build" with the edit that names the stage so.
func builderName(s *analysis.Stage, kw func(string) string) (string, []Edit) {
	if s.Name != "" {
		return s.Name, nil
	}
	return "build", []Edit{{Start: s.From.End(), End: s.From.End(), NewText: " " + kw("AS") + " build"}}
}

// stageBreak returns what goes before a stage appended at the end of f: a
// line break ending an unterminated last line, then a blank line.
func stageBreak(f *analysis.File, nl string) string {
	if len(f.Text) > 0 && !strings.HasSuffix(f.Text, "\n") {
		return nl + nl
	}
	return nl
}

// startCommand returns the one instruction that starts the application,
// CMD or ENTRYPOINT, with its exec-form words and the comment above it; ok
// is false when there is none or both (the splits keep it simple then).
func (rt runtimeParts) startCommand() (kw string, words []string, comment string, ok bool) {
	switch {
	case rt.hasEntry && rt.hasCmd:
		return "", nil, "", false
	case rt.hasEntry:
		return "ENTRYPOINT", rt.entry, rt.entryComment, true
	case rt.hasCmd:
		return "CMD", rt.cmd, rt.cmdComment, true
	}
	return "", nil, "", false
}

// runtimeOf collects the runtime instructions of the stage: WORKDIR,
// EXPOSE, VOLUME, LABEL, STOPSIGNAL, ENV (but the keys drop says are
// build-only), USER (the users okUser accepts), HEALTHCHECK (the tests
// okHealth accepts), and the words of CMD and ENTRYPOINT. It fails on an
// instruction it cannot keep as is.
func runtimeOf(f *analysis.File, s *analysis.Stage, drop func(string) bool, okUser func(string) bool, okHealth func([]string) bool) (runtimeParts, bool) {
	var rt runtimeParts
	for _, inst := range s.Instructions {
		kw := strings.ToLower(inst.Keyword())
		text := func() string {
			return f.Text[commentsStart(f, inst):inst.End()] + eol(f)
		}
		src := f.Text[inst.Start():inst.End()]
		switch kw {
		case "cmd", "entrypoint":
			words, ok := execWords(inst)
			if !ok {
				return rt, false
			}
			comment := f.Text[commentsStart(f, inst):inst.Start()]
			if kw == "cmd" {
				rt.cmd, rt.hasCmd, rt.cmdComment = words, true, comment
			} else {
				rt.entry, rt.hasEntry, rt.entryComment = words, true, comment
				rt.cmd, rt.hasCmd, rt.cmdComment = nil, false, "" // ENTRYPOINT resets CMD
			}
			continue
		case "workdir", "expose", "volume", "label", "stopsignal", "user", "healthcheck", "env":
		default:
			continue
		}
		if strings.Contains(src, "$") {
			return rt, false
		}
		switch kw {
		case "env":
			ec, ok := inst.Command().(*instructions.EnvCommand)
			if !ok {
				return rt, false
			}
			var keep []string
			for _, kv := range ec.Env {
				if !drop(kv.Key) {
					keep = append(keep, kv.Key)
				}
			}
			if len(keep) == 0 {
				continue
			}
			if len(keep) != len(ec.Env) {
				return rt, false // an ENV mixing toolchain and application variables
			}
		case "user":
			uc, ok := inst.Command().(*instructions.UserCommand)
			if !ok || !okUser(uc.User) {
				return rt, false
			}
			rt.hasUser = true
		case "healthcheck":
			hc, ok := inst.Command().(*instructions.HealthCheckCommand)
			if !ok || hc.Health == nil || len(hc.Health.Test) == 0 {
				return rt, false
			}
			if !okHealth(hc.Health.Test) {
				return rt, false
			}
		}
		rt.keep = append(rt.keep, text())
	}
	return rt, true
}
