// This file tests text synchronization and the diagnostics that follow it:
// open, incremental edits (multi-byte characters, CRLF, several changes in
// one notification, ranges past the end), whole-document changes, close,
// position encodings, and a burst of edits.
package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

// edit is one incremental change, located by the oracle in the text it
// applies to.
type edit struct {
	rng  func(text string) protocol.Range
	text string
}

// at returns a range locator for [start, end) byte offsets computed from
// the text.
func at(f func(text string) (start, end int), utf8 bool) func(string) protocol.Range {
	return func(text string) protocol.Range {
		s, e := f(text)
		return protocol.Range{Start: oraclePosition(text, s, utf8), End: oraclePosition(text, e, utf8)}
	}
}

// applyEdits applies edits to text the way the client would, and returns
// the change events to send and the resulting text.
func applyEdits(text string, utf8 bool, edits []edit) ([]protocol.TextDocumentContentChangeEvent, string) {
	var changes []protocol.TextDocumentContentChangeEvent
	for _, e := range edits {
		r := e.rng(text)
		s, en := oracleOffset(text, r.Start, utf8), oracleOffset(text, r.End, utf8)
		text = text[:s] + e.text + text[en:]
		changes = append(changes, &protocol.TextDocumentContentChangePartial{Range: r, Text: e.text})
	}
	return changes, text
}

func TestOpenEditClose(t *testing.T) {
	for _, enc := range []protocol.PositionEncodingKind{protocol.PositionEncodingKindUTF16, protocol.PositionEncodingKindUTF8} {
		t.Run(string(enc), func(t *testing.T) { testOpenEditClose(t, enc) })
	}
}

func testOpenEditClose(t *testing.T, enc protocol.PositionEncodingKind) {
	isUTF8 := enc == protocol.PositionEncodingKindUTF8
	s := testServer(t)
	c := connect(t, s)
	res := c.initialize(&protocol.InitializeParams{Capabilities: protocol.ClientCapabilities{
		General: &protocol.GeneralClientCapabilities{PositionEncodings: []protocol.PositionEncodingKind{enc}},
	}})
	if res.Capabilities.PositionEncoding != enc {
		t.Fatalf("negotiated %q, want %q", res.Capabilities.PositionEncoding, enc)
	}
	u := uri.File("/work/project/Dockerfile")
	text := "FROM alpine:3.20\r\nMAINTAINER héllo 𝄞 MARK\r\nRUN echo \"日本 MARK\"\r\nFROM\r\nCMD echo MARK"
	c.open(u, 1, text)
	p := c.waitPublish(u, 1)
	got := simplify(p.Diagnostics)
	if diff := cmp.Diff(want(text, s.rules, nil, nil, isUTF8), got); diff != "" {
		t.Fatalf("version 1 diagnostics (-want +got):\n%s", diff)
	}
	var codes []string
	for _, d := range got {
		codes = append(codes, d.Code)
	}
	if w := "TestMaintainer TestMark TestMark ParseError TestMark"; strings.Join(codes, " ") != w {
		t.Errorf("codes %v, want %s", codes, w)
	}

	// Several edits in one notification, each located in the text the
	// previous ones produced.
	changes, text := applyEdits(text, isUTF8, []edit{
		{at(func(t string) (int, int) { i := strings.Index(t, "MARK\r\nRUN") + 4; return i, i }, isUTF8), " 😀MARK"},
		{at(func(t string) (int, int) { i := strings.Index(t, "日本"); return i, i + len("日本") }, isUTF8), "x"},
		{at(func(t string) (int, int) { i := strings.Index(t, "\r\nFROM\r\n"); return i, i + len("\r\nFROM") }, isUTF8), ""},
		{func(string) protocol.Range { // past the end of the document: appends
			return protocol.Range{Start: protocol.Position{Line: 99, Character: 0}, End: protocol.Position{Line: 99, Character: 3}}
		}, "\r\nLABEL z=\"ü\" y=MARK"},
		{at(func(t string) (int, int) { i := strings.Index(t, "𝄞"); return i + len("𝄞"), i + len("𝄞") }, isUTF8), "é"},
	})
	c.change(u, 2, changes...)
	p = c.waitPublish(u, 2)
	if got, ok := s.docText(u); !ok || got != text {
		t.Fatalf("server text after edits:\n%q\nwant:\n%q", got, text)
	}
	if diff := cmp.Diff(want(text, s.rules, nil, nil, isUTF8), simplify(p.Diagnostics)); diff != "" {
		t.Fatalf("version 2 diagnostics (-want +got):\n%s", diff)
	}
	for _, d := range simplify(p.Diagnostics) {
		if d.Code == analysis.ParseErrorRule {
			t.Errorf("parse error left after the bare FROM was removed: %v", d)
		}
	}

	// A whole-document change replaces the text.
	text = "FROM scratch\nMARK\n"
	c.change(u, 3, &protocol.TextDocumentContentChangeWholeDocument{Text: text})
	p = c.waitPublish(u, 3)
	if diff := cmp.Diff(want(text, s.rules, nil, nil, isUTF8), simplify(p.Diagnostics)); diff != "" {
		t.Fatalf("version 3 diagnostics (-want +got):\n%s", diff)
	}

	// Closing clears the diagnostics.
	n := c.publishCount(u)
	c.notify(protocol.MethodTextDocumentDidClose, &protocol.DidCloseTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}})
	p = c.waitNthPublish(u, n+1)
	if len(p.Diagnostics) != 0 {
		t.Errorf("didClose published %v, want none", simplify(p.Diagnostics))
	}
	if _, open := s.docText(u); open {
		t.Errorf("document still open after didClose")
	}
}

// TestEncodingsDiffer checks that the same diagnostic on a non-ASCII line
// gets different ranges under UTF-8 and UTF-16.
func TestEncodingsDiffer(t *testing.T) {
	text := "FROM alpine\nLABEL x=\"日本語 𝄞\" MARK\n"
	ranges := map[protocol.PositionEncodingKind]string{}
	for _, enc := range []protocol.PositionEncodingKind{protocol.PositionEncodingKindUTF16, protocol.PositionEncodingKindUTF8} {
		c := connect(t, testServer(t))
		c.initialize(&protocol.InitializeParams{Capabilities: protocol.ClientCapabilities{
			General: &protocol.GeneralClientCapabilities{PositionEncodings: []protocol.PositionEncodingKind{protocol.PositionEncodingKindUTF32, enc}},
		}})
		u := uri.File("/w/Dockerfile")
		c.open(u, 1, text)
		for _, d := range simplify(c.waitPublish(u, 1).Diagnostics) {
			if d.Code == "TestMark" {
				ranges[enc] = d.Range
			}
		}
	}
	// LABEL x="日本語 𝄞" MARK: 9 ASCII bytes, 3 three-byte characters, a
	// space, a four-byte character, a quote and a space.
	if got, want := ranges[protocol.PositionEncodingKindUTF16], "1:17-1:21"; got != want {
		t.Errorf("utf-16 range %s, want %s", got, want)
	}
	if got, want := ranges[protocol.PositionEncodingKindUTF8], "1:25-1:29"; got != want {
		t.Errorf("utf-8 range %s, want %s", got, want)
	}
}

// TestUTF8NotOffered checks that a client that does not list UTF-8 gets
// UTF-16.
func TestUTF8NotOffered(t *testing.T) {
	c := connect(t, testServer(t))
	res := c.initialize(&protocol.InitializeParams{Capabilities: protocol.ClientCapabilities{
		General: &protocol.GeneralClientCapabilities{PositionEncodings: []protocol.PositionEncodingKind{protocol.PositionEncodingKindUTF32}},
	}})
	if res.Capabilities.PositionEncoding != protocol.PositionEncodingKindUTF16 {
		t.Errorf("negotiated %q, want utf-16", res.Capabilities.PositionEncoding)
	}
}

// TestBurst sends 200 edits without waiting: the last publish must be for
// the last version with the right diagnostics, and versions must never go
// backwards.
func TestBurst(t *testing.T) {
	s := testServer(t)
	c := connect(t, s)
	c.initialize(nil)
	u := uri.File("/w/Dockerfile")
	text := "FROM alpine\n"
	c.open(u, 1, text)
	const edits = 200
	for v := 2; v <= edits+1; v++ {
		// Append a line; every third one is a MAINTAINER, every fifth has
		// a mark, every seventh is a bare FROM that fails to parse.
		line := fmt.Sprintf("RUN echo %d é\n", v)
		switch {
		case v%7 == 0:
			line = "FROM\n"
		case v%5 == 0:
			line = fmt.Sprintf("ENV A%d=MARK\n", v)
		case v%3 == 0:
			line = fmt.Sprintf("MAINTAINER 𝄞 %d\n", v)
		}
		var changes []protocol.TextDocumentContentChangeEvent
		changes, text = applyEdits(text, false, []edit{{at(func(t string) (int, int) { return len(t), len(t) }, false), line}})
		c.change(u, int32(v), changes...)
	}
	last := c.waitPublish(u, edits+1)
	if diff := cmp.Diff(want(text, s.rules, nil, nil, false), simplify(last.Diagnostics)); diff != "" {
		t.Fatalf("last diagnostics (-want +got):\n%s", diff)
	}
	if got, _ := s.docText(u); got != text {
		t.Fatalf("server text differs from the client's")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	prev := int32(0)
	for _, p := range c.publishes {
		v, ok := p.Version.Get()
		if !ok {
			t.Errorf("publish without a version")
		}
		if v < prev {
			t.Errorf("publish for version %d after version %d", v, prev)
		}
		prev = v
	}
	t.Logf("%d edits, %d publishes", edits, len(c.publishes))
}

// TestRealRules runs the real registry: parse errors always come out, and
// the real rules' findings match the engine's.
func TestRealRules(t *testing.T) {
	s := New(Options{Logger: testLogger(t)})
	c := connect(t, s)
	c.initialize(nil)
	u := uri.File("/w/Dockerfile")
	text := "FROM alpine:3.20 AS build\nMAINTAINER someone\nRUN <<EOF\necho hi\n"
	c.open(u, 1, text)
	got := simplify(c.waitPublish(u, 1).Diagnostics)
	bctx, err := analysis.NewBuildContext("/w", "/w/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want(text, rules.All, nil, bctx, false), got); diff != "" {
		t.Fatalf("diagnostics (-want +got):\n%s", diff)
	}
	codes := map[string]diag{}
	for _, d := range got {
		codes[d.Code] = d
	}
	if d, ok := codes[analysis.ParseErrorRule]; !ok || d.Severity != protocol.DiagnosticSeverityError {
		t.Errorf("no ParseError error for an unterminated heredoc: %v", got)
	}
	if d, ok := codes["MaintainerDeprecated"]; !ok || d.Href == "" || d.Range != "1:0-1:10" {
		t.Errorf("no MaintainerDeprecated on MAINTAINER, with its documentation link: %v", got)
	}
}
