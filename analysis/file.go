// This file defines File, an immutable parsed Dockerfile, and Edit, which
// derives a new File from an old one by re-parsing only what a text edit can
// change.
package analysis

import (
	"bytes"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockwise/dockwise/internal/bkparse"
)

// File is an immutable, parsed Dockerfile. Positions are byte offsets into
// Text; lines are 0-based. Files are safe for concurrent use.
type File struct {
	Text string

	starts []int      // byte offset of each line
	refs   []chunkRef // the chunks, in order, covering all of Text
	insts  []*Instruction

	// Escape is the escape token in effect ('\\' or '`').
	Escape rune
	// Directives are the parser directives at the top of the file.
	Directives []Directive

	sem semOnce // lazily built semantic model; see semantic.go

	whole bool // parsed whole, not derived by an incremental edit
}

// Directive is a parser directive such as `# syntax=...`, `# escape=` or `# check=`.
type Directive struct {
	Name, Value string
	Line        int // 0-based
}

type chunkRef struct {
	c    *chunk
	line int // 0-based line of the chunk's first line
	off  int // byte offset of the chunk's first byte
}

// Parse parses a whole Dockerfile.
func Parse(text string) *File {
	f := &File{Text: text, starts: lineStarts(text), whole: true}
	f.Directives, f.Escape = directivesOf(text)
	f.setChunks(parseParallel(text, f.starts, f.Escape))
	return f
}

// directivesOf reads the parser directives the way BuildKit's parser does:
// from the first line on, until a line that is not a directive.
func directivesOf(text string) ([]Directive, rune) {
	escape := parser.DefaultEscapeToken
	var dp parser.DirectiveParser
	var ds []Directive
	for i := 0; len(text) > 0; i++ {
		line, rest, _ := strings.Cut(text, "\n")
		text = rest
		b := []byte(line)
		if i == 0 {
			b = bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})
		}
		b = bytes.TrimLeft(bytes.TrimRight(b, "\r\n"), " \t\r\n\v\f")
		d, err := dp.ParseLine(b)
		if err != nil || d == nil {
			break
		}
		if d.Name == "escape" {
			if d.Value == "`" {
				escape = '`'
			} else if d.Value != `\` {
				break // BuildKit rejects the file; the parse reports it
			}
		}
		ds = append(ds, Directive{Name: d.Name, Value: d.Value, Line: i})
	}
	return ds, escape
}

func (f *File) setChunks(chunks []*chunk) {
	f.refs = make([]chunkRef, len(chunks))
	line, off := 0, 0
	n := 0
	for i, c := range chunks {
		f.refs[i] = chunkRef{c: c, line: line, off: off}
		line += c.nLines
		off += c.nBytes
		if c.hasInstruction() {
			n++
		}
	}
	backing := make([]Instruction, n) // one allocation for all
	f.insts = make([]*Instruction, n)
	n = 0
	for i := range f.refs {
		if r := &f.refs[i]; r.c.hasInstruction() {
			backing[n] = Instruction{file: f, ref: r, Index: n}
			f.insts[n] = &backing[n]
			n++
		}
	}
}

// Edit returns the File that results from replacing Text[start:end] with
// text. Offsets out of range are clamped (clamped reports whether they were).
// Only the instructions the edit touches, and those whose extent the edit
// can change, are parsed again.
func (f *File) Edit(start, end int, text string) (nf *File, clamped bool) {
	if start < 0 || start > len(f.Text) || end < start || end > len(f.Text) {
		clamped = true
		start = min(max(start, 0), len(f.Text))
		end = min(max(end, start), len(f.Text))
	}
	newText := f.Text[:start] + text + f.Text[end:]
	if len(f.refs) == 0 {
		return Parse(newText), clamped
	}
	// k: the chunk holding the edit's start.
	k := sort.Search(len(f.refs), func(i int) bool { return f.refs[i].off > start }) - 1
	if k < 0 {
		k = 0
	}
	directives := f.Directives
	if k == 0 {
		// The first chunk holds the parser directives. Only the escape
		// token changes how the other instructions parse: when it
		// changes, every line must be parsed again. Otherwise the window
		// below starts at the top and parses the directives again
		// itself (`# syntax=` and `# check=` are read from Directives).
		ds, esc := directivesOf(newText)
		if esc != f.Escape {
			return Parse(newText), clamped
		}
		directives = ds
	}
	nf = &File{Text: newText, starts: editStarts(f.starts, newText, start, end, text), Escape: f.Escape, Directives: directives}
	deltaBytes := len(text) - (end - start)
	deltaLines := strings.Count(text, "\n") - strings.Count(f.Text[start:end], "\n")
	endLine := f.lineOf(end) // old line holding the edit's end

	// Parse a window from chunk k's start through a few chunks after the
	// edit, widening until the new chunk boundaries meet an old boundary
	// past the edit; everything after that is unchanged.
	j := k
	for j < len(f.refs)-1 && f.refs[j].line+f.refs[j].c.nLines <= endLine {
		j++
	}
	winStart := f.refs[k].off
	for extra := 2; ; extra *= 2 {
		m := j + extra
		atEOF := m >= len(f.refs)-1
		winEnd := len(newText)
		if !atEOF {
			winEnd = f.refs[m].off + f.refs[m].c.nBytes + deltaBytes
		}
		wtext := newText[winStart:winEnd]
		chunks, complete := parseWindow(wtext, lineStarts(wtext), k == 0, f.Escape, atEOF)
		// Find the first complete new chunk that ends on an old boundary
		// at or past the edit's end.
		line := f.refs[k].line
		q := j
		for i := 0; i < complete; i++ {
			line += chunks[i].nLines
			for q < len(f.refs) && f.refs[q].line+f.refs[q].c.nLines+deltaLines < line {
				q++
			}
			if q < len(f.refs) && f.refs[q].line+f.refs[q].c.nLines+deltaLines == line && f.refs[q].line+f.refs[q].c.nLines > endLine {
				all := make([]*chunk, 0, len(f.refs)-(q-k)+i)
				for _, r := range f.refs[:k] {
					all = append(all, r.c)
				}
				all = append(all, chunks[:i+1]...)
				for _, r := range f.refs[q+1:] {
					all = append(all, r.c)
				}
				nf.setChunks(all)
				return nf, clamped
			}
		}
		if atEOF {
			all := make([]*chunk, 0, k+len(chunks))
			for _, r := range f.refs[:k] {
				all = append(all, r.c)
			}
			all = append(all, chunks...)
			nf.setChunks(all)
			return nf, clamped
		}
	}
}

// editStarts returns the line starts of newText, the result of replacing
// [start, end) of a text whose line starts were old with ins, reusing old.
func editStarts(old []int, newText string, start, end int, ins string) []int {
	if len(old) == 0 || len(newText) == 0 {
		return lineStarts(newText)
	}
	pre := sort.SearchInts(old, start+1) // old starts <= start are unchanged
	post := sort.SearchInts(old, end+1)  // old starts > end move by delta
	starts := make([]int, pre, pre+strings.Count(ins, "\n")+len(old)-post)
	copy(starts, old[:pre])
	if start > 0 && start < len(newText) && newText[start-1] == '\n' && starts[pre-1] != start {
		// An insertion at the end of a text ending in a newline starts
		// a line the old text did not have.
		starts = append(starts, start)
	}
	for p := 0; ; {
		i := strings.IndexByte(ins[p:], '\n')
		if i < 0 {
			break
		}
		p += i + 1
		if s := start + p; s < len(newText) {
			starts = append(starts, s)
		}
	}
	delta := len(ins) - (end - start)
	for _, s := range old[post:] {
		starts = append(starts, s+delta)
	}
	for len(starts) > 0 && starts[len(starts)-1] >= len(newText) {
		starts = starts[:len(starts)-1] // a deletion up to the end
	}
	return starts
}

// lineOf returns the 0-based line holding byte offset off. The end of a
// text that ends with a newline is on the line after the last (NumLines).
func (f *File) lineOf(off int) int {
	if off >= len(f.Text) && (len(f.Text) == 0 || f.Text[len(f.Text)-1] == '\n') {
		return len(f.starts)
	}
	return max(sort.Search(len(f.starts), func(i int) bool { return f.starts[i] > off })-1, 0)
}

// LineOf returns the 0-based line holding byte offset off.
func (f *File) LineOf(off int) int { return f.lineOf(off) }

// LineStart returns the byte offset at which 0-based line l starts (the
// length of the text for lines past the end).
func (f *File) LineStart(l int) int {
	if l < 0 {
		return 0
	}
	if l >= len(f.starts) {
		return len(f.Text)
	}
	return f.starts[l]
}

// LineEnd returns the byte offset of the end of 0-based line l, before its
// line terminator ("\n" or "\r\n").
func (f *File) LineEnd(l int) int {
	e := f.LineStart(l + 1)
	if e > f.LineStart(l) && f.Text[e-1] == '\n' {
		e--
		if e > f.LineStart(l) && f.Text[e-1] == '\r' {
			e--
		}
	}
	return e
}

// Line returns the text of 0-based line l without its terminator.
func (f *File) Line(l int) string { return f.Text[f.LineStart(l):f.LineEnd(l)] }

// NumLines returns the number of lines.
func (f *File) NumLines() int { return len(f.starts) }

// Instructions returns the file's instructions (including those that failed
// to parse), in order.
func (f *File) Instructions() []*Instruction { return f.insts }

// InstructionAt returns the instruction whose chunk holds byte offset off
// (its leading comments included), or nil.
func (f *File) InstructionAt(off int) *Instruction {
	i := sort.Search(len(f.insts), func(i int) bool {
		r := f.insts[i].ref
		return r.off+r.c.nBytes > off
	})
	if i < len(f.insts) {
		return f.insts[i]
	}
	return nil
}

// parallelMin is the size from which Parse splits the text and parses the
// pieces concurrently. A variable so that tests can lower it.
var parallelMin = 32 << 10

// parallelFallbacks counts wrong cuts, for tests.
var parallelFallbacks atomic.Int64

// parseParallel parses a whole text. A large text is cut into pieces at
// lines that look like instruction starts, the pieces are parsed
// concurrently, and each cut is then verified: a piece must end with a
// complete instruction on a line that does not continue. At the first cut
// that fails (the guess fell inside a heredoc, say), the rest of the text
// is parsed sequentially, so the result is always that of a sequential parse.
func parseParallel(text string, starts []int, escape rune) []*chunk {
	n := runtime.GOMAXPROCS(0)
	if len(text) < parallelMin || n < 2 || len(starts) < 2 {
		chunks, _ := parseWindow(text, starts, true, escape, true)
		return chunks
	}
	// Many more pieces than cores: the cost of a line varies (heredocs,
	// long RUNs), and with few pieces one core finishes well before the
	// other (16 pieces instead of 4 took the parse from about 91 % of both
	// cores to 96 %).
	pieces := 8 * n
	cuts := []int{0} // 0-based lines where pieces start
	for i := 1; i < pieces; i++ {
		l := sort.SearchInts(starts, len(text)*i/pieces)
		if c := nextCut(text, starts, l, escape); c > cuts[len(cuts)-1] && c < len(starts) {
			cuts = append(cuts, c)
		}
	}
	cuts = append(cuts, len(starts))
	type piece struct{ chunks []*chunk }
	results := make([]piece, len(cuts)-1)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			lo, hi := cuts[i], cuts[i+1]
			wtext := text[starts[lo]:lineOffset(text, starts, hi)]
			ws := make([]int, hi-lo)
			for j := range ws {
				ws[j] = starts[lo+j] - starts[lo]
			}
			results[i].chunks, _ = parseWindow(wtext, ws, i == 0, escape, hi == len(starts))
			// Every instruction of a file parsed whole is analysed next:
			// make its typed command while the other pieces parse.
			for _, c := range results[i].chunks {
				semOf(c)
			}
		})
	}
	wg.Wait()
	var all []*chunk
	for i, p := range results {
		last := i == len(results)-1
		if last || pieceEndsCleanly(p.chunks, text, starts, cuts[i+1], escape) {
			all = append(all, p.chunks...)
			continue
		}
		// The cut was wrong: parse sequentially from the last chunk of
		// the piece that is certainly complete.
		parallelFallbacks.Add(1)
		line := cuts[i]
		for _, c := range p.chunks[:len(p.chunks)-1] {
			all = append(all, c)
			line += c.nLines
		}
		wtext := text[starts[line]:]
		ws := make([]int, len(starts)-line)
		for j := range ws {
			ws[j] = starts[line+j] - starts[line]
		}
		rest, _ := parseWindow(wtext, ws, line == 0, escape, true)
		return append(all, rest...)
	}
	return all
}

func lineOffset(text string, starts []int, l int) int {
	if l >= len(starts) {
		return len(text)
	}
	return starts[l]
}

// nextCut returns the first line at or after l that looks like the start of
// an instruction: it begins at column 0 with an instruction keyword, and the
// line before it is neither blank, a comment, nor continued. (A heredoc's
// body lines often begin with a word too; a cut there costs a sequential
// parse of the rest.)
func nextCut(text string, starts []int, l int, escape rune) int {
	for ; l < len(starts); l++ {
		if l == 0 {
			continue
		}
		line := text[starts[l]:lineOffset(text, starts, l+1)]
		if !startsWithKeyword(line) {
			continue
		}
		prev := strings.TrimRight(text[starts[l-1]:starts[l]], " \t\r\n")
		if prev == "" || strings.HasPrefix(strings.TrimLeft(prev, " \t"), "#") || strings.HasSuffix(prev, string(escape)) {
			continue
		}
		return l
	}
	return len(starts)
}

// startsWithKeyword reports whether line begins with one of BuildKit's
// instruction keywords (in any case) followed by a blank or the line's end.
func startsWithKeyword(line string) bool {
	n := 0
	for n < len(line) && (line[n] >= 'A' && line[n] <= 'Z' || line[n] >= 'a' && line[n] <= 'z') {
		n++
	}
	if n < len(line) && line[n] != ' ' && line[n] != '\t' && line[n] != '\r' && line[n] != '\n' {
		return false
	}
	_, ok := bkparse.Keyword(line[:n])
	return ok
}

// pieceEndsCleanly reports whether a piece's parse ends with a complete
// instruction on its last line (cut-1), with no continuation on that line.
func pieceEndsCleanly(chunks []*chunk, text string, starts []int, cut int, escape rune) bool {
	if len(chunks) == 0 {
		return false
	}
	c := chunks[len(chunks)-1]
	if c.node == nil || c.parseErr() != nil || c.node.EndLine != c.nLines {
		return false
	}
	last := strings.TrimRight(text[starts[cut-1]:starts[cut]], " \t\r\n")
	return last != "" && !strings.HasPrefix(strings.TrimLeft(last, " \t"), "#") && !strings.HasSuffix(last, string(escape))
}
