// This file defines the fix of RedundantTargetPlatform: the
// `--platform=$TARGETPLATFORM` flag is dropped.
package codeactions

import (
	"github.com/dockwise/dockwise/analysis"
)

func init() { register("RedundantTargetPlatform", fixRedundantPlatform) }

func fixRedundantPlatform(in *Input, d analysis.Diagnostic) []*Action {
	text := in.File.Text
	if d.End <= d.Start || d.Instruction == nil || !d.Instruction.Is("from") {
		return nil
	}
	flag := text[d.Start:d.End]
	if len(flag) < len("--platform") || flag[:len("--platform")] != "--platform" {
		return nil
	}
	// The flag and the blanks after it; the blank before it stays.
	end := d.End
	for end < len(text) && (text[end] == ' ' || text[end] == '\t') {
		end++
	}
	return []*Action{{
		Title:     "Remove " + short(flag, 60),
		Edits:     []Edit{{Start: d.Start, End: end}},
		Safe:      true,
		Preferred: true,
	}}
}
