// This file defines the fix of MissingCacheMount: the RUN gains the
// `--mount=type=cache,target=...` flags of the caches its commands
// download into (the directories MissingCacheMount computes for the tool,
// the user's home and the cache variables), apt's with sharing=locked.
// On Debian and Ubuntu bases, whose /etc/apt/apt.conf.d/docker-clean
// empties apt's cache after every install, a `RUN rm -f
// /etc/apt/apt.conf.d/docker-clean` is inserted right after the stage's
// FROM (CacheMountDefeated wants it in an earlier RUN). What the mount makes pointless and would keep it empty --
// `rm -rf /var/lib/apt/lists/*`, `apt-get clean`, a cache-off flag of the
// tool -- is removed from the RUN; when it cannot be removed cleanly (it
// is part of a condition, or shares an rm with other paths in a way that
// cannot be cut), no fix is offered.
//
// The flags go right after the RUN keyword, before any other flag and the
// command, so continuation lines and heredocs stay as they are.
package codeactions

import (
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

func init() { register("MissingCacheMount", fixMissingCacheMount) }

const dockerCleanFile = "/etc/apt/apt.conf.d/docker-clean"

func fixMissingCacheMount(in *Input, d analysis.Diagnostic) []*Action {
	if in.safeOnly {
		return nil // never safe
	}
	inst := d.Instruction
	if inst == nil || !inst.Is("run") {
		return nil
	}
	if run, ok := inst.Command().(*instructions.RunCommand); !ok || !run.PrependShell {
		return nil // in exec form, script positions are not exact
	}
	f := in.File
	s := f.Semantics().StageOf(inst)
	if s == nil {
		return nil
	}
	needs, ok := rules.MissingCacheMounts(s, inst)
	if !ok {
		return nil
	}
	var flags []string
	for _, dir := range needs.Dirs {
		if strings.ContainsAny(dir, " \t\r\n,\"'$`\\=") {
			return nil // a value the flag would have to quote
		}
		fl := "--mount=type=cache,target=" + dir
		if isAptDir(dir) {
			fl += ",sharing=locked"
		}
		if needs.Owner != "" {
			fl += "," + needs.Owner
		}
		flags = append(flags, fl)
	}
	_, kwEnd := inst.KeywordRange()
	if kwEnd <= inst.Start() {
		return nil
	}
	kw := f.Text[inst.Start():kwEnd]
	edits := []Edit{{Start: kwEnd, End: kwEnd, NewText: " " + strings.Join(flags, " ")}}
	if needs.APKLink != "" {
		// apk keeps the packages it downloads only where /etc/apk/cache
		// links: start the command with the link.
		cs, ce := inst.CommandRange()
		if cs >= ce || strings.HasPrefix(f.Text[cs:ce], "<<") {
			return nil // a heredoc script: no place for it on the command line
		}
		edits = append(edits, Edit{Start: cs, End: cs, NewText: needs.APKLink + " && "})
	}
	if needs.DockerClean {
		// Right after the stage's FROM: every fix of the stage inserts
		// it at the same place, so that fix-all inserts it once (two
		// insertions at one offset go in different rounds).
		l := s.From.EndLine() + 1
		if l >= f.NumLines() {
			return nil
		}
		at := f.LineStart(l)
		line := keywordLike(kw, "RUN") + " rm -f " + dockerCleanFile + lineEnd(f.Text)
		if !insertsInstructions(f, at, line) {
			return nil
		}
		edits = append(edits, Edit{Start: at, End: at, NewText: line})
	}

	// Find what would keep the new mounts empty, and remove it.
	cmds := inst.Commands(s.ShellAt(inst))
	var dropped []string
	for round := 0; round < 2 && mayEmpty(cmds); round++ {
		defeats, ok := defeatsAfter(in, edits, kwEnd)
		if !ok {
			return nil
		}
		if len(defeats) == 0 {
			break
		}
		if round == 1 {
			return nil // removing the cleanups did not do it
		}
		more, what, ok := removeDefeats(f, cmds, defeats)
		if !ok {
			return nil
		}
		edits = append(edits, more...)
		dropped = what
	}

	// The fix serves every finding of the RUN: it is titled after the
	// first, so that the actions of all are one.
	var targets []analysis.Diagnostic
	for _, o := range in.Diagnostics() {
		if o.Rule == d.Rule && o.Instruction != nil && o.Instruction.Start() == inst.Start() {
			targets = append(targets, o)
		}
	}
	if len(targets) == 0 {
		targets = []analysis.Diagnostic{d}
	}
	title := "Add `" + strings.Join(flags, " ") + "` to `RUN " + short(f.Text[targets[0].Start:targets[0].End], 40) + "`"
	if len(dropped) > 0 {
		title += ", drop " + strings.Join(dropped, ", ")
	}
	if needs.DockerClean {
		title += ", and remove " + dockerCleanFile + " in a RUN after the FROM"
	}
	return []*Action{{Title: title, Edits: edits, Diagnostics: targets, Preferred: true}}
}

// mayEmpty reports whether a command of the RUN could keep a new cache
// mount empty: a cleanup, or a second command of one tool (the first
// decides whether the tool's cache is on, and has it on, or its cache
// would need no mount). Without one, checking the result for
// CacheMountDefeated is skipped: it checks the whole file.
func mayEmpty(cmds []analysis.Command) bool {
	seen := map[analysis.Ecosystem]bool{}
	for i := range cmds {
		c := &cmds[i]
		if c.Op == analysis.OpCleanup {
			return true
		}
		if c.Eco != analysis.EcoNone {
			if seen[c.Eco] {
				return true
			}
			seen[c.Eco] = true
		}
	}
	return false
}

// isAptDir reports whether dir is one of apt's caches, which apt locks.
func isAptDir(dir string) bool {
	for _, a := range []string{"/var/cache/apt", "/var/lib/apt"} {
		if dir == a || strings.HasPrefix(dir, a+"/") {
			return true
		}
	}
	return false
}

// defeatsAfter applies the edits and returns, as ranges of the original
// text, the CacheMountDefeated findings of the RUN whose keyword ends at
// kwEnd. The edits are insertions before the RUN's script, so an offset
// of the script moves by their total length. ok is false for a finding
// outside the script.
func defeatsAfter(in *Input, edits []Edit, kwEnd int) (out [][2]int, ok bool) {
	es, err := sortedEdits(edits, len(in.File.Text))
	if err != nil {
		return nil, false
	}
	nf, err := applyFile(in.File, es)
	if err != nil {
		return nil, false
	}
	ctx := in.Options.Context
	diags := analysis.Check(nf, []*analysis.Rule{rules.CacheMountDefeated}, analysis.Options{Context: ctx})
	newKwEnd := mapOffset(es, kwEnd, true)
	run := nf.InstructionAt(newKwEnd)
	shift := 0
	for _, e := range es {
		if e.Start <= kwEnd && e.Start == e.End {
			shift += len(e.NewText)
		}
	}
	for _, d := range diags {
		if d.Rule != "CacheMountDefeated" || d.Instruction == nil || run == nil || d.Instruction.Start() != run.Start() {
			continue
		}
		s, e := d.Start-shift, d.End-shift
		if s <= kwEnd || e > len(in.File.Text) || in.File.Text[s:e] != nf.Text[d.Start:d.End] {
			return nil, false // a finding on the new mount flags (docker-clean)
		}
		out = append(out, [2]int{s, e})
	}
	return out, true
}

// removeDefeats returns the edits that remove the commands, flags and rm
// operands at the given ranges of the RUN's commands, and how the title
// names them.
func removeDefeats(f *analysis.File, cmds []analysis.Command, defeats [][2]int) (edits []Edit, what []string, ok bool) {
	text := f.Text
	whole := map[int]bool{} // commands removed whole
	words := map[int][]analysis.Word{}
	for _, r := range defeats {
		found := false
		for i := range cmds {
			c := &cmds[i]
			if c.Subst || c.Nested > 0 || r[0] < c.Start || r[1] > c.End {
				continue
			}
			if c.Prog.Start == r[0] && c.SubEnd == r[1] {
				if c.Op != analysis.OpCleanup {
					return nil, nil, false // a cache turned off by a variable
				}
				whole[i], found = true, true
				break
			}
			for _, w := range append(append([]analysis.Word{}, c.Targets...), c.Args...) {
				if w.Start == r[0] && w.End == r[1] {
					words[i], found = append(words[i], w), true
					break
				}
			}
			if found {
				break
			}
		}
		if !found {
			return nil, nil, false
		}
	}
	for i, ws := range words {
		if whole[i] {
			continue
		}
		c := &cmds[i]
		if c.Op == analysis.OpCleanup && c.Eco == analysis.EcoNone && len(ws) >= len(c.Targets) {
			whole[i] = true // every operand goes: the rm goes
			continue
		}
		for _, w := range ws {
			s := w.Start
			for s > c.Prog.End && (text[s-1] == ' ' || text[s-1] == '\t') {
				s--
			}
			if s == w.Start {
				return nil, nil, false
			}
			edits = append(edits, Edit{Start: s, End: w.End})
			if c.Op == analysis.OpCleanup {
				what = append(what, "`"+text[w.Start:w.End]+"` from `"+c.Name+"`")
			} else {
				what = append(what, "`"+text[w.Start:w.End]+"`")
			}
		}
	}
	for i := range cmds {
		if !whole[i] {
			continue
		}
		e, ok := removeCommand(f, cmds, i)
		if !ok {
			return nil, nil, false
		}
		edits = append(edits, e)
		what = append(what, "`"+short(text[cmds[i].Start:cmds[i].End], 40)+"`")
	}
	return edits, what, len(edits) > 0
}

// removeCommand returns the edit that removes the i-th command of a RUN
// with the `&&` or `;` that joins it to the command before it (or, for the
// first, to the command after it). Only a top-level command joined by
// nothing but a separator, blanks and continuations is removed.
func removeCommand(f *analysis.File, cmds []analysis.Command, i int) (Edit, bool) {
	c := &cmds[i]
	if c.Conditional || c.Nested > 0 || c.Subst {
		return Edit{}, false
	}
	var prev, next *analysis.Command
	for j := i - 1; j >= 0; j-- {
		if !cmds[j].Subst && cmds[j].Nested == 0 && cmds[j].End <= c.Start {
			prev = &cmds[j]
			break
		}
	}
	for j := i + 1; j < len(cmds); j++ {
		if !cmds[j].Subst && cmds[j].Nested == 0 && cmds[j].Start >= c.End {
			next = &cmds[j]
			break
		}
	}
	if prev != nil && separatorOnly(f, f.Text[prev.End:c.Start]) {
		return Edit{Start: prev.End, End: c.End}, true
	}
	if prev == nil && next != nil && separatorOnly(f, f.Text[c.End:next.Start]) {
		return Edit{Start: c.Start, End: next.Start}, true
	}
	return Edit{}, false
}

// separatorOnly reports whether s joins two commands unconditionally: one
// `&&` or `;` (or a newline, in a heredoc) among blanks and continuations.
func separatorOnly(f *analysis.File, s string) bool {
	esc := string(f.Escape)
	s = strings.ReplaceAll(s, esc+"\r\n", " ")
	s = strings.ReplaceAll(s, esc+"\n", " ")
	newline := strings.ContainsAny(s, "\n")
	rest := strings.TrimSpace(s)
	switch rest {
	case "&&", ";":
		return true
	case "":
		return newline
	}
	return false
}

// lineEnd returns the text's line ending.
func lineEnd(text string) string {
	if strings.Contains(text, "\r\n") {
		return "\r\n"
	}
	return "\n"
}
