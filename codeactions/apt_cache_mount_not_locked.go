// This file defines the fix of AptCacheMountNotLocked: the apt cache mount
// gets `sharing=locked` (its sharing field is replaced, or the field is
// added at the end of the flag). Only how concurrent builds share the
// cache changes, not the image, so the fix is safe.
package codeactions

import (
	"github.com/dockwise/dockwise/analysis"
)

func init() { register("AptCacheMountNotLocked", fixAptCacheMountNotLocked) }

func fixAptCacheMountNotLocked(in *Input, d analysis.Diagnostic) []*Action {
	inst := d.Instruction
	if inst == nil || !inst.Is("run") {
		return nil
	}
	text := in.File.Text
	for _, m := range inst.Mounts() {
		var e Edit
		switch {
		case m.SharingEnd > m.SharingStart && d.Start == m.SharingStart && d.End == m.SharingEnd:
			e = Edit{Start: m.SharingStart, End: m.SharingEnd, NewText: "sharing=locked"}
		case m.SharingEnd == 0 && d.Start == m.Start && d.End == m.End && m.End > m.Start:
			if c := text[m.End-1]; c == '"' || c == '\'' {
				return nil // a quoted flag: the field would go outside the quotes
			}
			e = Edit{Start: m.End, End: m.End, NewText: ",sharing=locked"}
		default:
			continue
		}
		return []*Action{{
			Title:     "Lock the cache mount at " + short(m.Target, 60) + " (`sharing=locked`)",
			Edits:     []Edit{e},
			Safe:      true,
			Preferred: true,
		}}
	}
	return nil
}
