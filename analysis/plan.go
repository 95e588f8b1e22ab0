// This file defines instPlan: for one instruction, the words BuildKit's
// dispatcher expands and the arguments the checks look at (keys, sources,
// ports, flags), each with its position. A plan depends on the instruction
// alone, so it is built once and cached with the instruction's chunk;
// positions are relative to the chunk.
package analysis

import (
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// instPlan is what the semantic model needs from one instruction. There is
// one per instruction, so it is kept small: what only some kinds of
// instruction have is behind pointers. Offsets are chunk-relative.
type instPlan struct {
	// expand holds the words BuildKit's dispatcher runs through its lexer
	// and checks for undefined variables, in dispatch order (heredoc
	// contents of COPY and ADD included).
	expand []*word

	kwStart, kwEnd int32 // the keyword

	// CMD and ENTRYPOINT in shell form: the shell text.
	argsStart, argsEnd int32
	shellForm          bool

	path  *word      // WORKDIR path, USER name
	from  *fromPlan  // FROM
	copy  *copyPlan  // COPY, ADD
	pairs []pairPlan // ENV, LABEL
	args  []argPlan  // ARG
	more  *planMore  // EXPOSE, RUN --mount
}

// copyPlan is the part of a plan only COPY and ADD have.
type copyPlan struct {
	sources            []*word // local or remote source paths
	fromRef            string  // COPY --from
	fromStart, fromEnd int32
}

// planMore is the part of a plan only EXPOSE and RUN have.
type planMore struct {
	ports  []*word // EXPOSE, in source order
	mounts []mountPlan
}

type fromPlan struct {
	base               *word
	platform           *word // nil without --platform
	flagStart, flagEnd int   // the --platform flag
	asStart, asEnd     int   // the AS keyword (empty if none)
	nameStart, nameEnd int   // the stage name (empty if none)
}

type pairPlan struct {
	key, value       *word
	noDelim          bool
	keyStart, keyEnd int
}

type argPlan struct {
	key              string
	keyStart, keyEnd int
	def              *word // nil without a default value
}

type mountPlan struct {
	from       string
	start, end int
}

// plan returns the instruction's cached plan (an empty plan for an
// instruction that does not parse).
func (in *Instruction) plan() *instPlan {
	s := in.sem()
	s.planOnce.Do(func() { computePlan(in, &s.plan) })
	return &s.plan
}

// computePlan fills p; call it through planOnce.
func computePlan(in *Instruction, p *instPlan) {
	cmd := in.Command()
	if in.Node() == nil || cmd == nil {
		return
	}
	// Nothing of the layout stays in the plan (words copy what they need).
	x := computeLayout(in, layoutPool.Get().(*instLayout))
	defer func() {
		*x = instLayout{}
		layoutPool.Put(x)
	}()
	node := in.Node()
	esc := in.file.Escape
	base := in.ref.off
	text := in.file.Text
	p.kwStart, p.kwEnd = rel32(x.relSpan(x.keyword))
	rel := func(s span) (int, int) { return x.relSpan(s) }
	mk := func(t string, s span) *word {
		rs, re := rel(s)
		return compileWord(t, esc, false, text[base+rs:base+re], rs, re)
	}
	// flagSpan returns the span of the first flag named name, and its value
	// as BuildKit reads it.
	flagSpan := func(name string) (span, string, bool) {
		if len(x.flags) != len(node.Flags) {
			return span{}, "", false
		}
		for i, fl := range node.Flags {
			n, v, _ := strings.Cut(strings.TrimPrefix(fl, "--"), "=")
			if n == name {
				return x.flags[i], v, true
			}
		}
		return span{}, "", false
	}
	flagWord := func(name, value string) *word {
		if value == "" {
			return nil
		}
		s, _, ok := flagSpan(name)
		if !ok {
			s = x.rest
		}
		return mk(value, s)
	}
	// args returns the argument spans as the instruction's line parser
	// splits them, or nil if they do not line up with BuildKit's.
	args := func(json bool, n int) []span {
		var ss []span
		if json {
			ss = x.jsonStrings(x.rest)
		} else {
			ss = x.wsFields(x.rest)
		}
		if len(ss) != n {
			return nil
		}
		return ss
	}
	nodeArgs := func() []string {
		var out []string
		for n := node.Next; n != nil; n = n.Next {
			out = append(out, n.Value)
		}
		return out
	}
	isJSON := node.Attributes["json"]

	switch c := cmd.(type) {
	case *instructions.Stage:
		fp := &fromPlan{}
		p.from = fp
		as := args(false, len(nodeArgs()))
		if len(as) == 0 {
			as = []span{x.rest}
		}
		fp.base = mk(c.BaseName, as[0])
		if len(as) == 3 {
			fp.asStart, fp.asEnd = rel(as[1])
			fp.nameStart, fp.nameEnd = rel(as[2])
		}
		if s, _, ok := flagSpan("platform"); ok {
			fp.flagStart, fp.flagEnd = rel(s)
			fp.platform = mk(c.Platform, s)
		} else if c.Platform != "" {
			fp.platform = mk(c.Platform, x.rest)
		}
	case *instructions.ArgCommand:
		ws := x.words(x.rest, byte(esc))
		for i, a := range c.Args {
			ap := argPlan{key: a.Key}
			s := x.rest
			if len(ws) == len(c.Args) {
				s = ws[i]
			}
			ks := span{s.start, min(s.start+len(a.Key), s.end)}
			ap.keyStart, ap.keyEnd = rel(ks)
			if a.Value != nil {
				vs := span{min(ks.end+1, s.end), s.end}
				ap.def = mk(*a.Value, vs)
			}
			p.args = append(p.args, ap)
		}
	case *instructions.EnvCommand:
		p.pairs = kvPlans(x, c.Env, esc, mk, rel)
		for _, kv := range p.pairs {
			p.expand = append(p.expand, kv.key, kv.value)
		}
	case *instructions.LabelCommand:
		p.pairs = kvPlans(x, c.Labels, esc, mk, rel)
		for _, kv := range p.pairs {
			p.expand = append(p.expand, kv.key, kv.value)
		}
	case *instructions.CopyCommand:
		p.copy = &copyPlan{}
		if s, v, ok := flagSpan("from"); ok {
			p.copy.fromRef = v
			p.copy.fromStart, p.copy.fromEnd = rel32(rel(s))
		} else {
			p.copy.fromRef = c.From
			p.copy.fromStart, p.copy.fromEnd = rel32(rel(x.rest))
		}
		for _, w := range []*word{flagWord("chown", c.Chown), flagWord("chmod", c.Chmod)} {
			if w != nil {
				p.expand = append(p.expand, w)
			}
		}
		sourcesPlan(p, x, &c.SourcesAndDest, nodeArgs(), isJSON, args, mk, in)
	case *instructions.AddCommand:
		p.copy = &copyPlan{}
		for _, w := range []*word{flagWord("chown", c.Chown), flagWord("chmod", c.Chmod), flagWord("checksum", c.Checksum)} {
			if w != nil {
				p.expand = append(p.expand, w)
			}
		}
		sourcesPlan(p, x, &c.SourcesAndDest, nodeArgs(), isJSON, args, mk, in)
	case *instructions.WorkdirCommand:
		p.path = mk(c.Path, x.rest)
		p.expand = append(p.expand, p.path)
	case *instructions.UserCommand:
		p.path = mk(c.User, x.rest)
		p.expand = append(p.expand, p.path)
	case *instructions.StopSignalCommand:
		p.expand = append(p.expand, mk(c.Signal, x.rest))
	case *instructions.VolumeCommand:
		ss := args(isJSON, len(c.Volumes))
		for i, v := range c.Volumes {
			s := x.rest
			if ss != nil {
				s = ss[i]
			}
			p.expand = append(p.expand, mk(v, s))
		}
	case *instructions.ExposeCommand:
		na := nodeArgs()
		ss := args(false, len(na))
		p.more = &planMore{}
		for i, a := range na {
			s := x.rest
			if ss != nil {
				s = ss[i]
			}
			p.more.ports = append(p.more.ports, mk(a, s))
		}
	case *instructions.RunCommand:
		runPlan(p, x, node, mk, rel)
		// The mounts come from the same layout, which is not kept.
		if r := in.sem().run; r != nil {
			r.mounts.once.Do(func() { r.mounts.mounts = in.readMounts(x) })
		}
	case *instructions.CmdCommand:
		p.shellForm = c.PrependShell
		p.argsStart, p.argsEnd = rel32(rel(x.rest))
	case *instructions.EntrypointCommand:
		p.shellForm = c.PrependShell
		p.argsStart, p.argsEnd = rel32(rel(x.rest))
	}
	// The typed command and the plan hold all the analysis reads of the
	// node's arguments: drop BuildKit's list of them (about a third of the
	// parse tree's memory). Nothing reads it after this, which runs once
	// per chunk, after the typed command is made.
	node.Next = nil
}

// rel32 narrows a pair of chunk-relative offsets.
func rel32(a, b int) (int32, int32) { return int32(a), int32(b) }

// kvPlans lays out ENV and LABEL pairs: `key=value ...` words, or the
// legacy `key value` form.
func kvPlans(x *instLayout, kvs instructions.KeyValuePairs, esc rune, mk func(string, span) *word, rel func(span) (int, int)) []pairPlan {
	var out []pairPlan
	if len(kvs) == 1 && kvs[0].NoDelim {
		ks := x.rest
		if f := x.wsFields(x.rest); len(f) > 0 {
			ks = f[0]
		}
		vs := span{ks.end, x.rest.end}
		for vs.start < vs.end && isWS(x.logical[vs.start]) {
			vs.start++
		}
		kv := pairPlan{key: mk(kvs[0].Key, ks), value: mk(kvs[0].Value, vs), noDelim: true}
		kv.keyStart, kv.keyEnd = rel(ks)
		return append(out, kv)
	}
	ws := x.words(x.rest, byte(esc))
	for i, e := range kvs {
		s := x.rest
		if len(ws) == len(kvs) {
			s = ws[i]
		}
		ks := span{s.start, min(s.start+len(e.Key), s.end)}
		vs := span{min(ks.end+1, s.end), s.end}
		kv := pairPlan{key: mk(e.Key, ks), value: mk(e.Value, vs), noDelim: e.NoDelim}
		kv.keyStart, kv.keyEnd = rel(ks)
		out = append(out, kv)
	}
	return out
}

// sourcesPlan lays out the sources and destination of COPY and ADD, and
// the heredoc contents BuildKit expands.
func sourcesPlan(p *instPlan, x *instLayout, sd *instructions.SourcesAndDest, nargs []string, isJSON bool,
	args func(bool, int) []span, mk func(string, span) *word, in *Instruction) {
	ss := args(isJSON, len(nargs))
	si := 0
	var dest *word
	for i, a := range nargs {
		if i == len(nargs)-1 {
			s := x.rest
			if ss != nil {
				s = ss[i]
			}
			dest = mk(sd.DestPath, s)
			break
		}
		// BuildKit's instruction parser kept the sources that are not
		// heredocs, in order and as written, in SourcePaths: the same
		// text is the same kind of source.
		if si >= len(sd.SourcePaths) || a != sd.SourcePaths[si] {
			continue // a heredoc
		}
		s := x.rest
		if ss != nil {
			s = ss[i]
		}
		p.copy.sources = append(p.copy.sources, mk(sd.SourcePaths[si], s))
		si++
	}
	p.expand = append(p.expand, p.copy.sources...)
	if dest != nil {
		p.expand = append(p.expand, dest)
	}
	base := in.ref.off
	body := in.file.Text[base+x.bodyStart : base+x.bodyEnd]
	for _, sc := range sd.SourceContents {
		if sc.Expand {
			p.expand = append(p.expand, compileWord(sc.Data, in.file.Escape, true, body, x.bodyStart, x.bodyEnd))
		}
	}
}

// runPlan lays out the values of RUN --mount options, which BuildKit
// expands, and the stages or images they mount from.
func runPlan(p *instPlan, x *instLayout, node *parser.Node, mk func(string, span) *word, rel func(span) (int, int)) {
	x.mountFlags(node, func(_ span, fields []mountField) {
		for _, f := range fields {
			if !f.hasValue {
				continue
			}
			p.expand = append(p.expand, mk(f.value, f.val))
			if strings.EqualFold(f.key, "from") {
				mp := mountPlan{from: f.value}
				mp.start, mp.end = rel(f.val)
				if p.more == nil {
					p.more = &planMore{}
				}
				p.more.mounts = append(p.more.mounts, mp)
			}
		}
	})
}

var noMore planMore

// moreOf returns the plan's EXPOSE and RUN part, empty when it has none.
func (p *instPlan) moreOf() *planMore {
	if p.more == nil {
		return &noMore
	}
	return p.more
}

var noCopy copyPlan

// copyOf returns the plan's COPY and ADD part, empty when it has none.
func (p *instPlan) copyOf() *copyPlan {
	if p.copy == nil {
		return &noCopy
	}
	return p.copy
}
