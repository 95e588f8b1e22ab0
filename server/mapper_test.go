// This file tests the position mapper against the oracle and on the edge
// cases: CRLF, a missing final newline, multi-byte characters, surrogate
// pairs, and positions past the end of a line or of the document.
package server

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"go.lsp.dev/protocol"

	"github.com/dockwise/dockwise/analysis"
)

var mapperTexts = map[string]string{
	"empty":          "",
	"newline":        "\n",
	"lf":             "FROM alpine\nRUN echo hi\n",
	"no final eol":   "FROM alpine\nRUN echo hi",
	"crlf":           "FROM alpine\r\nRUN echo hi\r\n",
	"crlf no eol":    "FROM alpine\r\nRUN echo hi",
	"blank lines":    "\n\nFROM alpine\n\n",
	"multibyte":      "FROM alpine\nLABEL a=\"héllo wörld\" b=\"日本語\"\nRUN echo \"𝄞 and 😀😀\"\n",
	"multibyte crlf": "FROM alpine\r\nLABEL x=\"é𝄞\"\r\n# 😀\r\nRUN true",
	"lone cr":        "FROM a\rRUN b\n",
}

// TestMapperRoundTrip checks every offset of every test text, in both
// encodings, against the oracle, and that converting back gives the offset.
func TestMapperRoundTrip(t *testing.T) {
	for name, text := range mapperTexts {
		f := analysis.Parse(text)
		for _, isUTF8 := range []bool{false, true} {
			m := mapper{utf8: isUTF8}
			for off := 0; off <= len(text); off++ {
				if off < len(text) && !utf8.RuneStart(text[off]) {
					continue
				}
				got := m.position(f, off)
				if want := oraclePosition(text, off, isUTF8); got != want {
					t.Errorf("%s utf8=%v: position(%d) = %v, want %v", name, isUTF8, off, got, want)
					continue
				}
				back, clamped := m.offset(f, got)
				wantBack := off
				if off > 0 && text[off-1] == '\r' && off < len(text) && text[off] == '\n' {
					wantBack = off - 1 // between \r and \n: the end of the line
				}
				if back != wantBack || clamped {
					t.Errorf("%s utf8=%v: offset(position(%d) = %v) = %d, %v; want %d", name, isUTF8, off, got, back, clamped, wantBack)
				}
			}
		}
	}
}

func TestMapperClamps(t *testing.T) {
	text := "FROM a\r\nRUN é𝄞x\nCMD z" // line 1: "RUN é𝄞x" = R U N space é(2 bytes) 𝄞(4 bytes) x
	f := analysis.Parse(text)
	line1 := len("FROM a\r\n")
	tests := []struct {
		name    string
		utf8    bool
		pos     protocol.Position
		want    int
		clamped bool
	}{
		{"start", false, protocol.Position{Line: 0, Character: 0}, 0, false},
		{"end of crlf line", false, protocol.Position{Line: 0, Character: 6}, 6, false},
		{"past end of crlf line", false, protocol.Position{Line: 0, Character: 7}, 6, true},
		{"far past end of line", true, protocol.Position{Line: 0, Character: 1000}, 6, true},
		{"after é utf16", false, protocol.Position{Line: 1, Character: 5}, line1 + 6, false},
		{"after é utf8", true, protocol.Position{Line: 1, Character: 6}, line1 + 6, false},
		{"inside é utf8", true, protocol.Position{Line: 1, Character: 5}, line1 + 4, true},
		{"inside surrogate pair", false, protocol.Position{Line: 1, Character: 6}, line1 + 6, true},
		{"after surrogate pair", false, protocol.Position{Line: 1, Character: 7}, line1 + 10, false},
		{"inside 𝄞 utf8", true, protocol.Position{Line: 1, Character: 8}, line1 + 6, true},
		{"end of last line", false, protocol.Position{Line: 2, Character: 5}, len(text), false},
		{"past last line", false, protocol.Position{Line: 3, Character: 0}, len(text), true},
		{"far past last line", true, protocol.Position{Line: 1 << 30, Character: 4}, len(text), true},
	}
	for _, tt := range tests {
		got, clamped := mapper{utf8: tt.utf8}.offset(f, tt.pos)
		if got != tt.want || clamped != tt.clamped {
			t.Errorf("%s: offset(%v) = %d, %v; want %d, %v", tt.name, tt.pos, got, clamped, tt.want, tt.clamped)
		}
	}
	// The empty line after a final newline exists; the one after it does not.
	g := analysis.Parse("FROM a\n")
	if got, clamped := (mapper{}).offset(g, protocol.Position{Line: 1, Character: 0}); got != 7 || clamped {
		t.Errorf("offset(1:0) = %d, %v; want 7, false", got, clamped)
	}
	if got, clamped := (mapper{}).offset(g, protocol.Position{Line: 2, Character: 0}); got != 7 || !clamped {
		t.Errorf("offset(2:0) = %d, %v; want 7, true", got, clamped)
	}
	// Offsets out of range and inside characters clamp too.
	if got := (mapper{}).position(f, -5); got != (protocol.Position{}) {
		t.Errorf("position(-5) = %v", got)
	}
	if got, want := (mapper{}).position(f, len(text)+10), oraclePosition(text, len(text), false); got != want {
		t.Errorf("position(past end) = %v, want %v", got, want)
	}
	if got, want := (mapper{}).position(f, line1+5), oraclePosition(text, line1+4, false); got != want {
		t.Errorf("position(inside é) = %v, want %v", got, want)
	}
}

// TestMapperCorpus checks random offsets of the real Dockerfiles against
// the oracle.
func TestMapperCorpus(t *testing.T) {
	files, _ := filepath.Glob("../../shared/corpus/real/*")
	if len(files) == 0 {
		t.Skip("corpus not found")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil || !utf8.Valid(b) {
			continue
		}
		text := string(b)
		f := analysis.Parse(text)
		for i := 0; i < 50; i++ {
			off := rng.IntN(len(text) + 1)
			for off < len(text) && !utf8.RuneStart(text[off]) {
				off++
			}
			for _, isUTF8 := range []bool{false, true} {
				m := mapper{utf8: isUTF8}
				p := m.position(f, off)
				if want := oraclePosition(text, off, isUTF8); p != want {
					t.Fatalf("%s utf8=%v: position(%d) = %v, want %v", path, isUTF8, off, p, want)
				}
				if got, want := first(m.offset(f, p)), oracleOffset(text, p, isUTF8); got != want {
					t.Fatalf("%s utf8=%v: offset(%v) = %d, want %d", path, isUTF8, p, got, want)
				}
			}
		}
	}
}

func first[A, B any](a A, _ B) A { return a }
