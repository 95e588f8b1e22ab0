// This file defines the stage graph queries rules share: the final stage,
// and which stages a stage needs (FROM, COPY --from, RUN --mount from=),
// with a FROM that uses variables matched against every stage name it
// could produce.
package analysis

import (
	"path"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// Final returns the last stage of the file, the one `docker build` builds
// without --target, or nil when there is none.
func (m *Model) Final() *Stage {
	if len(m.Stages) == 0 {
		return nil
	}
	return m.Stages[len(m.Stages)-1]
}

// Needs returns, indexed by Stage.Index, the stages that s needs to be
// built, directly or transitively: the stages it is built FROM and those
// its COPY --from and RUN --mount from= name (s included).
//
// A FROM that uses variables may name other stages in other builds, and
// counts every earlier stage whose name it could produce: when its variables
// have no known value, or depend on the platform (TARGETOS, or a global
// ARG whose default uses it), and when it names a stage with the default
// values of its variables (ARG-selected stages, as in `FROM ${SRC}` with
// `ARG SRC=go-builder`, are switched with --build-arg).
func (m *Model) Needs(s *Stage) []bool {
	need := make([]bool, len(m.Stages))
	if s == nil || s.Index >= len(m.Stages) || m.Stages[s.Index] != s {
		return need
	}
	perPlatform := m.perPlatformArgs()
	unknown := func(name string) bool { return perPlatform[name] }
	every := func(string) bool { return true }
	work := []*Stage{s}
	need[s.Index] = true
	add := func(t *Stage) {
		if t != nil && !need[t.Index] {
			need[t.Index] = true
			work = append(work, t)
		}
	}
	addMatching := func(pat string, stages []*Stage) {
		for _, o := range stages {
			if o.Name != "" && matchStageName(pat, o.Name) {
				add(o)
			}
		}
	}
	for len(work) > 0 {
		t := work[len(work)-1]
		work = work[:len(work)-1]
		add(t.Parent)
		if len(t.BaseRefs) > 0 {
			u := unknown
			if t.Parent != nil {
				u = every
			}
			if pat, ok := t.baseWith('*', u); ok {
				addMatching(pat, m.Stages[:t.Index])
			}
		}
		// BuildKit does not expand variables in COPY --from and RUN
		// --mount from=: their references are exact.
		for _, d := range t.Deps {
			add(d.Stage)
		}
	}
	return need
}

// baseWith returns the stage's base as written with the variables that
// have a known value expanded and the others replaced by mark, and whether
// there were others. The variables unknown reports count as unknown too
// (nil: none).
func (s *Stage) baseWith(mark byte, unknown func(string) bool) (string, bool) {
	text := s.m.File.Text
	if s.BaseStart >= s.BaseEnd || s.BaseEnd > len(text) {
		return "", false
	}
	var b strings.Builder
	at, any := s.BaseStart, false
	for _, r := range s.BaseRefs {
		if r.Start < at || r.End > s.BaseEnd {
			return "", false
		}
		b.WriteString(text[at:r.Start])
		if r.State == RefDefined && r.Var.Value.Known && (unknown == nil || !unknown(r.Name)) {
			b.WriteString(r.Var.Value.S)
		} else {
			b.WriteByte(mark)
			any = true
		}
		at = r.End
	}
	b.WriteString(text[at:s.BaseEnd])
	return b.String(), any
}

// perPlatformArgs returns the names of the ARGs whose value depends on
// the platform: those BuildKit predefines from the build and target
// platforms, and the global ARGs whose default uses one of them.
func (m *Model) perPlatformArgs() map[string]bool {
	out := map[string]bool{}
	for _, n := range BuiltinArgNames {
		if n != "TARGETSTAGE" {
			out[n] = true
		}
	}
	for _, in := range m.GlobalInstructions() {
		a, ok := in.Command().(*instructions.ArgCommand)
		if !ok {
			continue
		}
		for _, kv := range a.Args {
			if kv.Value != nil && usesAny(*kv.Value, out) {
				out[kv.Key] = true
			}
		}
	}
	return out
}

// usesAny reports whether text refers to one of the variables ($X or ${X...}).
func usesAny(text string, names map[string]bool) bool {
	for i := 0; i < len(text); i++ {
		if text[i] != '$' {
			continue
		}
		j := i + 1
		if j < len(text) && text[j] == '{' {
			j++
		}
		k := j
		for k < len(text) && (text[k] == '_' || 'a' <= text[k] && text[k] <= 'z' || 'A' <= text[k] && text[k] <= 'Z' || k > j && '0' <= text[k] && text[k] <= '9') {
			k++
		}
		if names[text[j:k]] {
			return true
		}
	}
	return false
}

// matchStageName matches a stage name against a pattern from
// expandPattern or basePattern, case-insensitively as BuildKit resolves
// stage names.
func matchStageName(pattern, name string) bool {
	ok, err := path.Match(strings.ToLower(pattern), name)
	return err == nil && ok
}
