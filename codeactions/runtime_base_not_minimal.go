// This file defines the fixes of RuntimeBaseNotMinimal: one action per
// smaller variant of the final stage's base (node:20 -> node:20-slim,
// node:20-alpine), written with the same registry.
//
// No fix is offered when
//   - the reference is pinned by digest: the digest names one exact image,
//     and a tag swap would have to drop it (the user's choice to pin would
//     be silently undone; the new digest cannot be known offline);
//   - the base is written with a variable (`FROM node:${NODE_VERSION}` or
//     `FROM $BASE`): the image is chosen by a build argument that can be
//     overridden at build time, and the ARG default may be used elsewhere,
//     so neither the FROM nor the ARG can be rewritten without changing
//     what the argument means;
//   - the final stage is built FROM another stage: the base is that of an
//     earlier stage which other stages (the build itself) may need whole.
//
// These fixes are not safe: a smaller variant lacks tools and libraries the
// runtime may use (Alpine has musl, not glibc); the user decides.
package codeactions

import (
	"strings"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

func init() { register("RuntimeBaseNotMinimal", fixRuntimeBase) }

func fixRuntimeBase(in *Input, d analysis.Diagnostic) []*Action {
	if in.safeOnly {
		return nil // never safe
	}
	inst := d.Instruction
	if inst == nil || !inst.Is("from") {
		return nil
	}
	final := in.File.Semantics().Final()
	if final == nil || final.From != inst || final.Parent != nil || len(final.BaseRefs) > 0 {
		return nil
	}
	if d.Start != final.BaseStart || d.End != final.BaseEnd || d.End <= d.Start {
		return nil
	}
	im := final.Image()
	written := in.File.Text[d.Start:d.End]
	// Continuations or escapes inside the name: the text is not the
	// reference, which is what the variants are written from.
	if written != im.Ref || im.Parsed.Digest != "" || strings.ContainsRune(written, '@') {
		return nil
	}
	var out []*Action
	for i, alt := range rules.SmallerBases(final) {
		if alt == "" || alt == written || strings.ContainsAny(alt, " \t\r\n$@") {
			continue
		}
		out = append(out, &Action{
			Title:     "Use `" + alt + "` instead of `" + written + "`",
			Edits:     []Edit{{Start: d.Start, End: d.End, NewText: alt}},
			Preferred: i == 0,
		})
	}
	return out
}
