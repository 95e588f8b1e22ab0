// This file defines the fix of UnlockedDependencyInstall: the install
// that respects the lockfile. `npm install` becomes `npm ci` (when the
// build context has package-lock.json, or is unknown); yarn gets
// --frozen-lockfile (yarn 1) or --immutable (yarn 2 and later, from
// .yarnrc.yml, packageManager or the lockfile's format; both are offered
// when the version is unknown); pnpm gets --frozen-lockfile; bundle
// install runs with BUNDLE_FROZEN=true; cargo gets --locked.
//
// These fixes are not safe: a lockfile that is out of date now fails the
// build, which is the point, but a decision for the user.
package codeactions

import (
	"path"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

func init() { register("UnlockedDependencyInstall", fixUnlockedInstall) }

func fixUnlockedInstall(in *Input, d analysis.Diagnostic) []*Action {
	inst := d.Instruction
	if inst == nil || !inst.Is("run") {
		return nil
	}
	if run, ok := inst.Command().(*instructions.RunCommand); !ok || !run.PrependShell {
		return nil // in exec form, script positions are not exact
	}
	s := in.File.Semantics().StageOf(inst)
	if s == nil {
		return nil
	}
	var c *analysis.Command
	cmds := inst.Commands(s.ShellAt(inst))
	for i := range cmds {
		if cmds[i].Prog.Start == d.Start && cmds[i].Nested == 0 && !cmds[i].Subst {
			c = &cmds[i]
			break
		}
	}
	if c == nil {
		return nil
	}
	f := in.File
	ctx := in.Options.Context
	dir := c.Dir
	if c.DirUnknown || strings.HasPrefix(dir, "/") {
		dir = ""
	}
	subEnd := c.SubEnd
	if c.Sub == "" {
		subEnd = c.Prog.End
	}
	insert := func(title, text string, preferred bool) *Action {
		return &Action{Title: title, Edits: []Edit{{Start: subEnd, End: subEnd, NewText: text}}, Preferred: preferred}
	}
	written := f.Text[c.Prog.Start:subEnd]

	switch c.Eco {
	case analysis.EcoNpm:
		if c.Sub == "" || c.SubEnd <= c.SubStart {
			return nil
		}
		if ctx != nil && ctx.Dir != "" && !hasAny(ctx, dir, "package-lock.json", "npm-shrinkwrap.json") {
			return nil // npm ci needs a lockfile
		}
		return []*Action{{
			Title:     "Use `npm ci` instead of `" + written + "` (installs the lockfile exactly)",
			Edits:     []Edit{{Start: c.SubStart, End: c.SubEnd, NewText: "ci"}},
			Preferred: true,
		}}
	case analysis.EcoYarn:
		v, _ := rules.YarnVersion(ctx, dir)
		flag := func(flag string) string {
			if c.Sub == "" {
				return " install " + flag
			}
			return " " + flag
		}
		v1 := insert("Add `--frozen-lockfile` to `"+written+"` (yarn 1)", flag("--frozen-lockfile"), v == 1)
		v2 := insert("Add `--immutable` to `"+written+"` (yarn 2 and later)", flag("--immutable"), v == 2)
		if c.Sub == "" {
			v1.Title = "Use `yarn install --frozen-lockfile` (yarn 1)"
			v2.Title = "Use `yarn install --immutable` (yarn 2 and later)"
		}
		switch v {
		case 1:
			return []*Action{v1}
		case 2:
			return []*Action{v2}
		}
		return []*Action{v1, v2}
	case analysis.EcoPnpm:
		if w, ok := c.Flag("--frozen-lockfile"); ok && w.Text == "--frozen-lockfile=false" && w.End-w.Start == len(w.Text) {
			return []*Action{{
				Title:     "Use `--frozen-lockfile` instead of `--frozen-lockfile=false`",
				Edits:     []Edit{{Start: w.Start, End: w.End, NewText: "--frozen-lockfile"}},
				Preferred: true,
			}}
		}
		return []*Action{insert("Add `--frozen-lockfile` to `"+written+"`", " --frozen-lockfile", true)}
	case analysis.EcoBundler:
		// Only assignments may come before the program: a wrapper such
		// as sudo would not pass the variable on.
		for _, w := range strings.Fields(f.Text[c.Start:c.Prog.Start]) {
			if !strings.Contains(w, "=") {
				return nil
			}
		}
		return []*Action{{
			Title:     "Run `" + written + "` with BUNDLE_FROZEN=true",
			Edits:     []Edit{{Start: c.Start, End: c.Start, NewText: "BUNDLE_FROZEN=true "}},
			Preferred: true,
		}}
	case analysis.EcoCargo:
		if rules.CargoLockLeftOut(s, inst) {
			return nil // without Cargo.lock in the image, --locked fails the build
		}
		return []*Action{insert("Add `--locked` to `"+written+"`", " --locked", true)}
	}
	return nil
}

// hasAny reports whether the context has one of the files in dir or at
// its root.
func hasAny(ctx *analysis.BuildContext, dir string, names ...string) bool {
	for _, d := range []string{dir, ""} {
		for _, n := range names {
			if ctx.Exists(path.Join(d, n)) {
				return true
			}
		}
	}
	return false
}
