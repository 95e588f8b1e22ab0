// This file defines the incremental parser: a Dockerfile is kept as a sequence
// of chunks, each one instruction with the comment and blank lines before it,
// and an edit re-parses only the chunks it can change.
//
// Parsing is done by BuildKit's own parser, run on a window of the text that
// starts at a chunk boundary. It is the copy in internal/bkparse, which gives
// BuildKit's results (its own node, warning and error types) in a third of
// the time; the tests compare both with BuildKit's parser.Parse. Between
// instructions the parser carries no state except the escape token, which
// only the parser directives of the first chunk can set, so a window that
// starts at a boundary parses exactly as the same lines do inside the whole
// file.
package analysis

import (
	"errors"
	"strings"
	"sync"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockwise/dockwise/internal/bkparse"
)

// chunk is one parsed unit of a Dockerfile: the blank and comment lines that
// precede an instruction, and the instruction itself with its continuation
// lines and heredoc bodies. The last chunk of a file may hold no instruction
// (trailing comments and blank lines). Chunks are immutable once built and are
// shared between the Files that successive edits produce, so every line number
// stored in a chunk is relative to the chunk's first line (1-based, as
// BuildKit counts).
type chunk struct {
	nLines int // lines the chunk spans
	nBytes int // bytes the chunk spans, line terminators included

	node    *parser.Node // the instruction, lines relative to the chunk; nil if none
	keyword string       // the node's keyword in lower case

	// odd holds what few chunks have: parser warnings or a parse error.
	odd *chunkOdd

	semOnce sync.Once
	sem     instSemantics // lazily computed per-instruction data; see instruction.go
}

// chunkOdd is the part of a chunk that only some chunks have (kept apart so
// that the rest, one per instruction, is smaller).
type chunkOdd struct {
	warnings []parser.Warning // parser warnings (empty continuation lines), relative lines

	// err is BuildKit's parse error for this instruction, with errStart and
	// errEnd its relative 1-based lines. node is nil when err is set.
	err              error
	errStart, errEnd int
}

// warnings returns the parser's warnings for the chunk, lines relative.
func (c *chunk) warnings() []parser.Warning {
	if c.odd == nil {
		return nil
	}
	return c.odd.warnings
}

// parseErr returns BuildKit's parse error for the chunk, or nil.
func (c *chunk) parseErr() error {
	if c.odd == nil {
		return nil
	}
	return c.odd.err
}

// hasInstruction reports whether the chunk holds an instruction or a parse error.
func (c *chunk) hasInstruction() bool { return c.node != nil || c.parseErr() != nil }

// lineStarts returns the byte offset of the start of every line of text.
// A text that ends with a newline has no empty last line.
func lineStarts(text string) []int {
	starts := make([]int, 0, len(text)/32+1)
	if len(text) == 0 {
		return starts
	}
	starts = append(starts, 0)
	for i := 0; ; {
		j := strings.IndexByte(text[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		if i >= len(text) {
			break
		}
		starts = append(starts, i)
	}
	return starts
}

// parseWindow parses text, which begins at a chunk boundary of some larger
// document and whose line starts are given, into chunks covering all of it.
// If first is true the text is the start of the document and parser
// directives are honoured; otherwise the given escape token is used.
//
// When atEOF is false the text is a window that may end in the middle of an
// instruction (a continuation or heredoc cut off); complete is then the
// number of leading chunks that end before the window does and are final.
//
// BuildKit's parser stops at the first error. Here a failing instruction
// becomes an error chunk and parsing goes on after it, so that one bad
// instruction does not hide the rest of the file.
func parseWindow(text string, starts []int, first bool, escape rune, atEOF bool) (chunks []*chunk, complete int) {
	lineOff := func(l int) int { // byte offset of 0-based window line l
		if l >= len(starts) {
			return len(text)
		}
		return starts[l]
	}
	end := 0 // 0-based window line after the last chunk emitted
	// emit appends a chunk for lines [end, base+last) of the window, where
	// base is the 0-based window line of the parse's first line and last is
	// the chunk's final 1-based line in that parse.
	emit := func(c *chunk, base, last int) {
		shift := base - end // parse-relative line → chunk-relative line
		if c.node != nil {
			c.node.StartLine += shift
			c.node.EndLine += shift
		}
		if c.parseErr() != nil {
			c.odd.errStart += shift
			c.odd.errEnd += shift
		}
		ws := c.warnings()
		for i := range ws {
			if loc := ws[i].Location; loc != nil {
				l := *loc
				l.Start.Line += shift
				l.End.Line += shift
				ws[i].Location = &l
			}
		}
		next := base + last
		c.nLines = next - end
		c.nBytes = lineOff(next) - lineOff(end)
		chunks = append(chunks, c)
		end = next
	}
	emitNodes := func(res *parser.Result, prefix, base int) {
		ws := res.Warnings
		nodes := nodesOf(res)
		cs := make([]chunk, len(nodes))
		for i, n := range nodes {
			c := &cs[i]
			c.node = n // bkparse allocates a parse's nodes together (see its newNode)
			c.keyword = bkparse.ToLower(n.Value)
			for len(ws) > 0 && (ws[0].Location == nil || ws[0].Location.Start.Line <= n.EndLine) {
				w := ws[0]
				ws = ws[1:]
				if w.Location != nil {
					l := *w.Location
					l.Start.Line -= prefix
					l.End.Line -= prefix
					w.Location = &l
				}
				if c.odd == nil {
					c.odd = &chunkOdd{}
				}
				c.odd.warnings = append(c.odd.warnings, w)
			}
			n.StartLine -= prefix
			n.EndLine -= prefix
			emit(c, base, n.EndLine)
		}
	}

	for base := 0; base < len(starts); base = end {
		sub := text[lineOff(base):]
		isFirst := first && base == 0
		res, prefix, err := parseText(sub, isFirst, escape)
		if err == nil {
			if res != nil {
				emitNodes(res, prefix, base)
			}
			break
		}
		nLines := len(starts) - base
		es, ee := errorLines(err, prefix)
		if res != nil {
			// The scanner gave up (a line too long): keep what was
			// parsed; the rest of the window is the error.
			emitNodes(res, prefix, base)
			es, ee = end-base+1, nLines
		}
		es = min(max(es, end-base+1), nLines)
		ee = min(max(ee, es), nLines)
		if res == nil && es > 1 {
			// Parse the text before the failing instruction on its own
			// to recover the instructions that precede it.
			before := sub[:lineOff(base+es-1)-lineOff(base)]
			if r2, p2, err2 := parseText(before, isFirst, escape); err2 == nil && r2 != nil {
				emitNodes(r2, p2, base)
			}
		}
		emit(&chunk{odd: &chunkOdd{err: cleanError(err), errStart: es, errEnd: ee}}, base, ee)
		if !atEOF && end >= len(starts) {
			// The error reached the end of the window: it may be an
			// unterminated heredoc that a longer window would close.
			return chunks, len(chunks) - 1
		}
	}
	if end < len(starts) {
		// Lines after the last instruction form a trailing chunk.
		chunks = append(chunks, &chunk{nLines: len(starts) - end, nBytes: len(text) - lineOff(end)})
	}
	if atEOF {
		return chunks, len(chunks)
	}
	complete = 0
	for l := 0; complete < len(chunks); complete++ {
		l += chunks[complete].nLines
		if l >= len(starts) {
			break
		}
	}
	return chunks, complete
}

func nodesOf(res *parser.Result) []*parser.Node {
	if res == nil || res.AST == nil {
		return nil
	}
	return res.AST.Children
}

// parseText runs BuildKit's parser (bkparse's copy) on text. Unless first is
// set, a prefix makes the parser treat the text as the middle of a file: it
// ends the parser directives and sets the escape token. It returns the number
// of prefix lines.
func parseText(text string, first bool, escape rune) (*parser.Result, int, error) {
	prefix := 0
	if !first {
		if escape == '`' {
			text = "# escape=`\n\n" + text
			prefix = 2
		} else {
			text = "\n" + text
			prefix = 1
		}
	}
	res, err := bkparse.Parse(strings.NewReader(text))
	if err != nil && res == nil && isNoInstructions(err) {
		return nil, prefix, nil
	}
	return res, prefix, err
}

func isNoInstructions(err error) bool {
	return err != nil && strings.Contains(err.Error(), "file with no instructions")
}

// errorLines returns the 1-based line range BuildKit attached to err, less
// the parse's prefix lines. BuildKit locates errors in the parser directives
// by a 0-based line; those are moved to 1-based.
func errorLines(err error, prefix int) (start, end int) {
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		loc := le.Locations[0]
		start, end = loc[0].Start.Line, loc[len(loc)-1].End.Line
		if msg := err.Error(); strings.Contains(msg, "parser directive") || strings.Contains(msg, "invalid escape token") {
			start, end = start+1, end+1
		}
		return start - prefix, end - prefix
	}
	return 1, 1
}

// cleanError drops BuildKit's location and stack wrappers, keeping the message.
func cleanError(err error) error {
	return errors.New(err.Error())
}
