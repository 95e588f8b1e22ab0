// This file defines the fix of MaintainerDeprecated: MAINTAINER becomes
// the standard authors label.
package codeactions

import (
	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

func init() { register("MaintainerDeprecated", fixMaintainer) }

// authorsLabel is the OCI annotation for the image's authors.
const authorsLabel = "org.opencontainers.image.authors"

// fixMaintainer replaces `MAINTAINER x` with `LABEL
// org.opencontainers.image.authors="x"`, or deletes it when its stage
// already sets that label.
func fixMaintainer(in *Input, d analysis.Diagnostic) []*Action {
	inst := d.Instruction
	if inst == nil || !inst.Is("maintainer") {
		return nil
	}
	cmd, ok := inst.Command().(*instructions.MaintainerCommand)
	if !ok || cmd.Maintainer == "" {
		return nil
	}
	f := in.File
	if s := f.Semantics().StageOf(inst); s != nil {
		for _, other := range s.Instructions {
			if !other.Is("label") {
				continue
			}
			for _, kv := range other.Pairs() {
				if kv.Key == authorsLabel {
					start, end := f.LineStart(inst.StartLine()), lineBreakAfter(f, inst.EndLine())
					return []*Action{{
						Title:     "Remove MAINTAINER (the stage already sets " + authorsLabel + ")",
						Edits:     []Edit{{Start: start, End: end}},
						Safe:      true,
						Preferred: true,
					}}
				}
			}
		}
	}
	label := keywordLike(inst.Keyword(), "LABEL") + " " + authorsLabel + "=" + doubleQuote(cmd.Maintainer, f.Escape)
	return []*Action{{
		Title:     "Replace MAINTAINER with " + short(label, 80),
		Edits:     []Edit{{Start: inst.Start(), End: inst.End(), NewText: label}},
		Safe:      true,
		Preferred: true,
	}}
}
