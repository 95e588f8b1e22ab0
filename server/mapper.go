// This file defines mapper, which converts between LSP positions (a line and
// a character offset counted in the negotiated encoding: UTF-16 code units by
// default, or UTF-8 bytes) and the byte offsets the engine uses.
//
// A conversion finds the line with analysis.File's line index and scans that
// one line only, so its cost does not grow with the size of the document.
// Lines end at "\n"; the "\r" of a "\r\n" is not one of the line's
// characters. Positions past the end of a line or of the document are
// clamped, as the LSP specification asks.
package server

import (
	"unicode/utf8"

	"go.lsp.dev/protocol"

	"github.com/dockwise/dockwise/analysis"
)

// mapper converts positions for one position encoding.
type mapper struct {
	utf8 bool // characters are UTF-8 bytes; otherwise UTF-16 code units
}

func mapperFor(enc protocol.PositionEncodingKind) mapper {
	return mapper{utf8: enc == protocol.PositionEncodingKindUTF8}
}

// lastLine returns the 0-based number of the last line of f: the empty line
// after a final newline counts.
func lastLine(f *analysis.File) int { return lineOf(f, len(f.Text)) }

// lineOf returns the 0-based line holding byte offset off (0 <= off <=
// len(f.Text)). The end of a text that ends with a newline (or is empty) is
// on the empty line after the last, which File does not count as a line.
func lineOf(f *analysis.File, off int) int {
	if off >= len(f.Text) && (len(f.Text) == 0 || f.Text[len(f.Text)-1] == '\n') {
		return f.NumLines()
	}
	return f.LineOf(off)
}

// offset returns the byte offset of p in f. A position past the end of its
// line is clamped to the end of the line, a line past the end of the
// document to the end of the document, and a character inside a multi-byte
// character (or between the halves of a UTF-16 surrogate pair) to that
// character's start; clamped reports that one of these happened.
func (m mapper) offset(f *analysis.File, p protocol.Position) (off int, clamped bool) {
	line := int(p.Line)
	if line > lastLine(f) {
		return len(f.Text), true
	}
	start, end := f.LineStart(line), f.LineEnd(line)
	want := int(p.Character)
	if m.utf8 {
		if want > end-start {
			return end, true
		}
		off = start + want
		for off > start && off < end && !utf8.RuneStart(f.Text[off]) {
			off--
			clamped = true
		}
		return off, clamped
	}
	units := 0
	for off = start; off < end; {
		if units == want {
			return off, false
		}
		c := f.Text[off]
		if c < utf8.RuneSelf {
			off++
			units++
			continue
		}
		r, size := utf8.DecodeRuneInString(f.Text[off:end])
		n := 1
		if r >= 0x10000 {
			n = 2
		}
		if units+n > want {
			return off, true // inside a surrogate pair
		}
		off += size
		units += n
	}
	return end, units != want
}

// position returns the LSP position of byte offset off in f. An offset out
// of range is clamped to the document, one inside a line terminator to the
// end of its line, and one inside a multi-byte character to its start.
func (m mapper) position(f *analysis.File, off int) protocol.Position {
	off = min(max(off, 0), len(f.Text))
	line := lineOf(f, off)
	start, end := f.LineStart(line), f.LineEnd(line)
	off = min(off, end)
	for off > start && off < end && !utf8.RuneStart(f.Text[off]) {
		off--
	}
	return protocol.Position{Line: uint32(line), Character: uint32(m.units(f.Text[start:off]))}
}

// units returns the length of s in the mapper's encoding.
func (m mapper) units(s string) int {
	if m.utf8 {
		return len(s)
	}
	n := 0
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			n++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// rangeOf returns the LSP range of the byte range [start, end) of f.
func (m mapper) rangeOf(f *analysis.File, start, end int) protocol.Range {
	return protocol.Range{Start: m.position(f, start), End: m.position(f, max(start, end))}
}
