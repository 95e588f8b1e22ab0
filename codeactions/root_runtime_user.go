// This file defines the fix of RootRuntimeUser: the final stage runs as a
// non-root user, chosen from its base image.
//
//   - an image with a non-root user of its own (node): `USER node`;
//   - Alpine-based images: `RUN addgroup -S app && adduser -S app -G app`
//     and `USER app`;
//   - Debian, Ubuntu and RHEL-family images with a shell:
//     `RUN groupadd --system app && useradd --system --gid app
//     --no-create-home app` and `USER app`;
//   - distroless images named by tag: the `:nonroot` tag (`:debug` becomes
//     `:debug-nonroot`), as a second action `USER nonroot`;
//   - scratch: `USER 65532:65532` (no RUN: there is no shell).
//
// The lines go after the last RUN or USER of the final stage (what needs
// root), or, when it has none, before its first CMD or ENTRYPOINT (and
// their comments), else at its end. COPY and ADD after them that write
// into the application directory (a relative destination, or one inside
// the WORKDIR) gain `--chown=<user>:<group>` so that the application
// still owns its files. Images whose users dockwise does not know (the
// .NET images' `app` already exists, nginx starts as root by design,
// minimal images without useradd) get no fix.
//
// These fixes are not safe: the application loses root, which the user
// decides.
package codeactions

import (
	"path"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/dockwise/dockwise/analysis"
)

func init() { register("RootRuntimeUser", fixRootRuntimeUser) }

const (
	alpineAddUser = "addgroup -S app && adduser -S app -G app"
	debianAddUser = "groupadd --system app && useradd --system --gid app --no-create-home app"
)

// appUser returns the lines that create the system user app and switch to
// it, on an Alpine base or a Debian-like one.
func appUser(kw func(string) string, alpine bool, nl string) string {
	add := debianAddUser
	if alpine {
		add = alpineAddUser
	}
	return kw("RUN") + " " + add + nl + kw("USER") + " app" + nl
}

func fixRootRuntimeUser(in *Input, d analysis.Diagnostic) []*Action {
	if in.safeOnly {
		return nil // never safe
	}
	f := in.File
	final := f.Semantics().Final()
	if final == nil || final.From == nil {
		return nil
	}
	im := final.Image()
	if im.Windows || final.OS() == "windows" {
		return nil
	}
	var out []*Action
	switch {
	case im.Family == analysis.FamilyNode && im.RuntimeUser == "node":
		out = append(out, userAction(f, final, "", "node", "node:node"))
	case im.Family == analysis.FamilyDistroless:
		if a := distrolessNonroot(f, final, im, d); a != nil {
			out = append(out, a)
		}
		out = append(out, userAction(f, final, "", "nonroot", "nonroot:nonroot"))
	case im.Scratch():
		out = append(out, userAction(f, final, "", "65532:65532", "65532:65532"))
	case im.Shell != analysis.FactYes:
		return nil
	case alpineBased(im):
		out = append(out, userAction(f, final, alpineAddUser, "app", "app:app"))
	case debianOrRHEL(im):
		out = append(out, userAction(f, final, debianAddUser, "app", "app:app"))
	}
	var keep []*Action
	for i, a := range out {
		if a != nil {
			a.Preferred = i == 0
			keep = append(keep, a)
		}
	}
	return keep
}

// alpineBased reports whether the image is Alpine Linux or built on it.
func alpineBased(im analysis.BaseImage) bool {
	return im.Family == analysis.FamilyAlpine || im.Variant == analysis.VariantAlpine ||
		strings.HasPrefix(im.Distro, "alpine") || im.Libc == analysis.Musl && im.Family != analysis.FamilyBusybox && im.Family != analysis.FamilyDocker
}

// debianOrRHEL reports whether the image is a Debian, Ubuntu or RHEL-family
// image known to have groupadd and useradd.
func debianOrRHEL(im analysis.BaseImage) bool {
	switch im.Family {
	case analysis.FamilyDebian, analysis.FamilyUbuntu, analysis.FamilyBuildpackDeps, analysis.FamilyPython,
		analysis.FamilyRuby, analysis.FamilyGo, analysis.FamilyRust, analysis.FamilyPHP, analysis.FamilyGCC,
		analysis.FamilyTemurin, analysis.FamilyOpenJDK, analysis.FamilyMaven, analysis.FamilyGradle, analysis.FamilyHttpd:
		return im.Libc == analysis.Glibc
	case "centos", "fedora", "rockylinux", "almalinux", "oraclelinux":
		return true
	}
	return false
}

// userAction returns the action that creates the user with the command
// create (none when ""), switches to user, and gives the later copies into
// the application directory to owner.
func userAction(f *analysis.File, s *analysis.Stage, create, user, owner string) *Action {
	kw := stageKeyword(f, s)
	nl := lineEnd(f.Text)
	// After the last RUN or USER; else before the first CMD or
	// ENTRYPOINT; else at the end of the stage.
	var after, before *analysis.Instruction
	for _, inst := range s.Instructions {
		switch {
		case inst.Is("run"), inst.Is("user"):
			after = inst
		case (inst.Is("cmd") || inst.Is("entrypoint")) && before == nil:
			before = inst
		}
	}
	var at int
	var edits []Edit
	switch {
	case after != nil:
		at = lineAfter(f, after)
	case before != nil:
		at = commentsStart(f, before)
	default:
		last := s.From
		if n := len(s.Instructions); n > 0 {
			last = s.Instructions[n-1]
		}
		at = lineAfter(f, last)
	}
	if at < 0 {
		return nil
	}
	text := ""
	if at == len(f.Text) && at > 0 && f.Text[at-1] != '\n' {
		text = nl // the stage ends the file without a line end
	}
	title := "Run as `" + user + "`: add `USER " + user + "`"
	if create != "" {
		text += keywordLike(kw, "RUN") + " " + create + nl
		title = "Run as a new `" + user + "` user: add `RUN " + create + "` and `USER " + user + "`"
	}
	text += keywordLike(kw, "USER") + " " + user + nl
	if !insertsInstructions(f, at, text) {
		return nil
	}
	edits = append(edits, Edit{Start: at, End: at, NewText: text})
	chowned := chownCopies(f, s, at, owner)
	edits = append(edits, chowned...)
	if len(chowned) > 0 {
		title += ", and `--chown=" + owner + "` on the later copies into the app directory"
	}
	return &Action{Title: title, Edits: edits}
}

// distrolessNonroot returns the action that switches a distroless base to
// its :nonroot tag, or nil when the base is written with a variable or
// pinned by digest.
func distrolessNonroot(f *analysis.File, s *analysis.Stage, im analysis.BaseImage, d analysis.Diagnostic) *Action {
	if s.Parent != nil || len(s.BaseRefs) > 0 || s.BaseEnd <= s.BaseStart || im.NonRoot {
		return nil
	}
	written := f.Text[s.BaseStart:s.BaseEnd]
	if written != im.Ref || strings.ContainsAny(written, "@$") {
		return nil
	}
	name, tag := written, ""
	if i := strings.LastIndexByte(written, ':'); i >= 0 && !strings.Contains(written[i:], "/") {
		name, tag = written[:i], written[i+1:]
	}
	switch tag {
	case "", "latest":
		tag = "nonroot"
	case "debug":
		tag = "debug-nonroot"
	default:
		return nil // a tag dockwise does not know the non-root twin of
	}
	// A later USER root would still win.
	for _, t := range s.Chain() {
		for range t.ArgsOf(analysis.RoleUser) {
			return nil
		}
	}
	ref := name + ":" + tag
	return &Action{
		Title: "Use `" + ref + "` (runs as nonroot)",
		Edits: []Edit{{Start: s.BaseStart, End: s.BaseEnd, NewText: ref}},
	}
}

// chownCopies returns the edits that add --chown=owner to the COPY and
// ADD instructions of the stage after offset at that write into the
// application directory and set no owner.
func chownCopies(f *analysis.File, s *analysis.Stage, at int, owner string) []Edit {
	var out []Edit
	workdir := "" // unknown or "/"
	if s.Parent == nil {
		workdir = "/"
	}
	for _, inst := range s.Instructions {
		switch c := inst.Command().(type) {
		case *instructions.WorkdirCommand:
			p := c.Path
			switch {
			case strings.Contains(p, "$"):
				workdir = ""
			case path.IsAbs(p):
				workdir = path.Clean(p)
			case workdir != "":
				workdir = path.Join(workdir, p)
			}
			continue
		case *instructions.CopyCommand:
			if c.Chown != "" || inst.Start() < at || !intoApp(c.DestPath, workdir) {
				continue
			}
		case *instructions.AddCommand:
			if c.Chown != "" || inst.Start() < at || !intoApp(c.DestPath, workdir) {
				continue
			}
		default:
			continue
		}
		if strings.Contains(inst.Source(), "--chown") {
			continue
		}
		_, kwEnd := inst.KeywordRange()
		if kwEnd <= inst.Start() {
			continue
		}
		out = append(out, Edit{Start: kwEnd, End: kwEnd, NewText: " --chown=" + owner})
	}
	return out
}

// intoApp reports whether a copy's destination is in the application
// directory: relative to the WORKDIR, or inside a WORKDIR other than /.
func intoApp(dest, workdir string) bool {
	if dest == "" || strings.Contains(dest, "$") {
		return false
	}
	if !path.IsAbs(dest) {
		return true
	}
	return workdir != "" && workdir != "/" && (path.Clean(dest) == workdir || strings.HasPrefix(path.Clean(dest), workdir+"/"))
}

// stageKeyword returns the stage's FROM keyword as written.
func stageKeyword(f *analysis.File, s *analysis.Stage) string {
	_, kwEnd := s.From.KeywordRange()
	if kwEnd <= s.From.Start() {
		return "FROM"
	}
	return f.Text[s.From.Start():kwEnd]
}

// lineAfter returns the start of the line after the instruction (the end
// of the text when it is the last line), or -1.
func lineAfter(f *analysis.File, inst *analysis.Instruction) int {
	l := inst.EndLine() + 1
	if l >= f.NumLines() {
		return len(f.Text)
	}
	return f.LineStart(l)
}

// commentsStart returns where the comment lines directly above an
// instruction start (the instruction's own line when there are none).
func commentsStart(f *analysis.File, inst *analysis.Instruction) int {
	l := inst.StartLine()
	for l > 0 && strings.HasPrefix(strings.TrimSpace(f.Line(l-1)), "#") {
		// A line of another instruction (a heredoc's) is not a comment.
		o := f.LineStart(l - 1)
		if p := f.InstructionAt(o); p != nil && p.Start() <= o && o < p.End() {
			break
		}
		l--
	}
	return f.LineStart(l)
}

// insertsInstructions reports whether inserting text (whole lines of
// instructions) at offset at gives instructions of their own: not lines
// that an unterminated heredoc or a continuation at the end of the file
// takes in.
func insertsInstructions(f *analysis.File, at int, text string) bool {
	nf, _ := f.Edit(at, at, text)
	off := at
	for _, line := range strings.SplitAfter(text, "\n") {
		if strings.TrimSpace(line) == "" {
			off += len(line)
			continue
		}
		inst := nf.InstructionAt(off)
		if inst == nil || inst.Start() != off || inst.End() > off+len(strings.TrimRight(line, "\r\n")) {
			return false
		}
		off += len(line)
	}
	return true
}
