// This file extracts the commands of several RUNs with one shell parse,
// for a file parsed whole (see warm).
package analysis

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// commandsTogether extracts the commands of the RUNs among insts and
// caches them as Commands would, parsing their scripts as one text: the
// shell parser allocates its nodes in slabs of 32 for every parse, so that
// parsing the RUNs of a large file one by one makes about twice the memory
// the scripts need (and a large file's first analysis writes every page of
// it fresh). RUNs this does not handle are left to Commands.
//
// The result is the same as parsing each script alone. Scripts are joined
// by a newline, which ends a complete command, and only scripts that are
// complete on their own are joined: one that ends with an unterminated
// quote, substitution, compound command or `&&` runs into the next script,
// and then either the parse fails or a command crosses the boundary; both
// send every script of the batch back to its own parse. Two things a
// following line could change without that showing are kept out: heredocs
// (`<<`, whose bodies are the lines after) and a script that ends with a
// backslash (a line continuation before a newline, a literal at the end).
func commandsTogether(insts []*Instruction) {
	defer func() {
		// Whatever this did not cache, Commands computes (and guards).
		_ = recover()
	}()
	type part struct {
		in          *Instruction
		src         string
		base        int // Dockerfile offset of the script's first byte
		heredoc     bool
		start, end  int // the script's range in the joined text
		commandsOff int // the instruction's chunk offset, for the cache
	}
	parts := make([]part, 0, len(insts))
	size := 0
	for _, in := range insts {
		if !in.Is("run") || in.Node() == nil {
			continue
		}
		src, base, heredoc, ok := in.shellSource()
		if !ok || !joinable(src) {
			continue
		}
		parts = append(parts, part{in: in, src: src, base: base, heredoc: heredoc, commandsOff: in.ChunkStart()})
		size += len(src) + 1
	}
	if len(parts) < 2 {
		return
	}
	var b strings.Builder
	b.Grow(size)
	for i := range parts {
		if i > 0 {
			b.WriteByte('\n')
		}
		parts[i].start = b.Len()
		b.WriteString(parts[i].src)
		parts[i].end = b.Len()
	}
	text := b.String()
	p := shellParsers.Get().(*syntax.Parser)
	f, err := p.Parse(strings.NewReader(text), "")
	shellParsers.Put(p)
	if err != nil {
		return
	}
	groups := make([][]*syntax.Stmt, len(parts))
	j := 0
	for _, st := range f.Stmts {
		pos, end := int(st.Pos().Offset()), int(st.End().Offset())
		for j < len(parts) && pos >= parts[j].end {
			j++
		}
		if j == len(parts) || pos < parts[j].start || end > parts[j].end {
			return
		}
		groups[j] = append(groups[j], st)
	}
	for i, pt := range parts {
		m := &mapper{src: text, base: pt.base - pt.start, exact: true, joined: !pt.heredoc}
		cmds, ok := walkCommands(groups[i], m)
		if !ok {
			continue // Commands will try alone, and fail the same way
		}
		s := pt.in.sem()
		s.run.cmds.once.Do(func() {
			s.run.cmds.ok = true
			s.run.cmds.last.Store(&shiftedCommands{off: pt.commandsOff, cmds: cmds})
		})
	}
}

// joinable reports whether a script may be parsed joined to others (see
// commandsTogether).
func joinable(src string) bool {
	if strings.Contains(src, "<<") {
		return false
	}
	t := strings.TrimRight(src, " \t\r\n")
	return !strings.HasSuffix(t, `\`)
}
