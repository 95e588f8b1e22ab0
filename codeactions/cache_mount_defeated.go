// This file defines the fix of CacheMountDefeated: what keeps the cache
// mount empty goes. A flag that turns the tool's cache off
// (`--no-cache-dir`, `apk add --no-cache`) is dropped; a cleanup of the
// cache (`apt-get clean`, `npm cache clean --force`, `rm -rf
// /var/lib/apt/lists/*`) is removed from the RUN, or only the operand of
// the rm that names the mounted path; for apt on Debian and Ubuntu bases,
// `RUN rm -f /etc/apt/apt.conf.d/docker-clean` is inserted after the
// stage's FROM. A cache turned off by a variable, and a cleanup that
// cannot be cut out cleanly (in a condition, joined by `||`), get no fix.
//
// The fixes are not safe: the build's cache behaviour changes, which the
// user decides.
package codeactions

import (
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/dockwise/dockwise/analysis"
)

func init() { register("CacheMountDefeated", fixCacheMountDefeated) }

func fixCacheMountDefeated(in *Input, d analysis.Diagnostic) []*Action {
	if in.safeOnly {
		return nil // never safe
	}
	inst := d.Instruction
	if inst == nil || !inst.Is("run") || d.End <= d.Start {
		return nil
	}
	f := in.File
	s := f.Semantics().StageOf(inst)
	if s == nil {
		return nil
	}
	// On a mount target: apt's docker-clean.
	for _, m := range inst.Mounts() {
		if d.Start == m.TargetStart && d.End == m.TargetEnd && m.TargetEnd > m.TargetStart {
			l := s.From.EndLine() + 1
			if l >= f.NumLines() {
				return nil
			}
			_, kwEnd := s.From.KeywordRange()
			at := f.LineStart(l)
			line := keywordLike(f.Text[s.From.Start():kwEnd], "RUN") + " rm -f " + dockerCleanFile + lineEnd(f.Text)
			if !insertsInstructions(f, at, line) {
				return nil
			}
			return []*Action{{
				Title:     "Remove " + dockerCleanFile + " in a RUN after the FROM",
				Edits:     []Edit{{Start: at, End: at, NewText: line}},
				Preferred: true,
			}}
		}
	}
	if run, ok := inst.Command().(*instructions.RunCommand); !ok || !run.PrependShell {
		return nil // in exec form, script positions are not exact
	}
	cmds := inst.Commands(s.ShellAt(inst))
	edits, what, ok := removeDefeats(f, cmds, [][2]int{{d.Start, d.End}})
	if !ok {
		return nil
	}
	return []*Action{{
		Title:     "Drop " + strings.Join(what, ", ") + " (the cache mount keeps the cache out of the image)",
		Edits:     edits,
		Preferred: true,
	}}
}
