package analysis

import (
	"fmt"
	"maps"
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockwise/dockwise/internal/corpus"
)

// fixtures are small files that exercise what the corpus may not: every
// way an edit can change instruction boundaries.
var fixtures = map[string]string{
	"continuations": "FROM alpine\nRUN echo a \\\n  b \\\n\n  c\nRUN echo d\n",
	"heredocs":      "FROM alpine\nRUN <<EOF\necho a\nEOF\nCOPY <<-A <<B /x\n\tone\n\tA\ntwo\nB\nRUN echo done\n",
	"comments":      "# syntax=docker/dockerfile:1\n# check=skip=JSONArgsRecommended\n\n# leading\nFROM alpine\n# c1\n\n#\n# c2\nRUN a\n# trailing\n",
	"crlf":          "FROM alpine\r\nRUN echo a \\\r\n  b\r\nCMD x\r\n",
	"nofinalnl":     "FROM alpine\nRUN echo a",
	"backtick":      "# escape=`\nFROM windows\nRUN dir `\n  c:\\\nRUN echo ok\n",
	"errors":        "FROM alpine\nRUN <<EOF\necho never closed\n",
	"badflag":       "FROM alpine\nENV\nRUN ok\nCOPY <<EOF\n",
	"unicode":       "FROM alpine\nLABEL desc=\"héllo wörld 🚀\"\nRUN echo ✓ \\\n  ✓\n",
	"onbuild":       "FROM alpine\nONBUILD RUN <<EOF\necho x\nEOF\nONBUILD COPY . /app\n",
	"empty":         "",
	"onlycomments":  "# one\n\n# two\n",
	"bom":           "\xEF\xBB\xBF# escape=`\nFROM a\nRUN b `\n c\n",
	"directiveerr":  "# escape=x\nFROM a\n",
}

func corpusFiles(t testing.TB) map[string]string {
	files := map[string]string{}
	for k, v := range fixtures {
		files["fixture:"+k] = v
	}
	real, err := corpus.Files()
	if err != nil {
		t.Logf("corpus not found (%v): fixtures only", err)
	}
	maps.Copy(files, real)
	return files
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// dumpFile renders everything the incremental parser keeps, with file
// line numbers, so two Files can be compared as text.
func dumpFile(f *File) string {
	var b strings.Builder
	fmt.Fprintf(&b, "escape=%q directives=%v\n", f.Escape, f.Directives)
	line, off := 0, 0
	for _, r := range f.refs {
		if r.line != line || r.off != off {
			fmt.Fprintf(&b, "BAD REF line=%d off=%d want %d %d\n", r.line, r.off, line, off)
		}
		c := r.c
		fmt.Fprintf(&b, "chunk line=%d n=%d bytes=%d", r.line, c.nLines, c.nBytes)
		if c.node != nil {
			fmt.Fprintf(&b, " node %d-%d %s", r.line+c.node.StartLine, r.line+c.node.EndLine, nodeString(c.node))
		}
		if c.parseErr() != nil {
			fmt.Fprintf(&b, " err %d-%d %q", r.line+c.odd.errStart, r.line+c.odd.errEnd, c.odd.err)
		}
		for _, w := range c.warnings() {
			fmt.Fprintf(&b, " warn@%d %q", r.line+w.Location.Start.Line, w.Short)
		}
		b.WriteString("\n")
		line += c.nLines
		off += c.nBytes
	}
	if off != len(f.Text) || line != len(f.starts) {
		fmt.Fprintf(&b, "BAD END line=%d off=%d want %d %d\n", line, off, len(f.starts), len(f.Text))
	}
	return b.String()
}

func nodeString(n *parser.Node) string {
	return fmt.Sprintf("%s flags=%q attrs=%v orig=%q heredocs=%+v comments=%q", n.Dump(), n.Flags, n.Attributes, n.Original, n.Heredocs, n.PrevComment)
}

// compareWithBuildKit checks f against BuildKit's parse of the whole text:
// the same instructions, lines, comments, heredocs and warnings; or, when
// BuildKit fails, the same first error at the same line.
func compareWithBuildKit(t *testing.T, name string, f *File) {
	t.Helper()
	res, err := parser.Parse(strings.NewReader(f.Text))
	var nodes []string
	var firstErr *chunkRef
	for i := range f.refs {
		r := &f.refs[i]
		if r.c.parseErr() != nil && firstErr == nil {
			firstErr = r
		}
		if r.c.node != nil && firstErr == nil {
			nodes = append(nodes, fmt.Sprintf("%d-%d %s", r.line+r.c.node.StartLine, r.line+r.c.node.EndLine, nodeString(r.c.node)))
		}
	}
	if err != nil {
		if isNoInstructions(err) {
			if len(f.insts) != 0 {
				t.Errorf("%s: BuildKit finds no instructions, we found %d", name, len(f.insts))
			}
			return
		}
		if firstErr == nil {
			t.Errorf("%s: BuildKit fails with %q, we found no error\n%s", name, err, f.Text)
			return
		}
		if got, want := firstErr.c.odd.err.Error(), err.Error(); got != want {
			t.Errorf("%s: first error %q, BuildKit says %q", name, got, want)
		}
		if es, _ := errorLines(err, 0); firstErr.line+firstErr.c.odd.errStart != es && !strings.Contains(err.Error(), "line greater than max") {
			t.Errorf("%s: first error at line %d, BuildKit says %d (%v)\n%s", name, firstErr.line+firstErr.c.odd.errStart, es, err, f.Text)
		}
		return
	}
	if firstErr != nil {
		t.Errorf("%s: BuildKit parses, we report %q at line %d\n%s", name, firstErr.c.odd.err, firstErr.line+firstErr.c.odd.errStart, f.Text)
		return
	}
	var want []string
	for _, n := range res.AST.Children {
		want = append(want, fmt.Sprintf("%d-%d %s", n.StartLine, n.EndLine, nodeString(n)))
	}
	if !reflect.DeepEqual(nodes, want) {
		t.Errorf("%s: instructions differ from BuildKit's parse\n got: %q\nwant: %q\ntext:\n%s", name, nodes, want, f.Text)
	}
	var gotW, wantW []string
	for _, r := range f.refs {
		for _, w := range r.c.warnings() {
			gotW = append(gotW, fmt.Sprintf("%d %s", r.line+w.Location.Start.Line, w.Short))
		}
	}
	for _, w := range res.Warnings {
		wantW = append(wantW, fmt.Sprintf("%d %s", w.Location.Start.Line, w.Short))
	}
	if !reflect.DeepEqual(gotW, wantW) {
		t.Errorf("%s: warnings %q, BuildKit %q", name, gotW, wantW)
	}
	if f.Escape != res.EscapeToken {
		t.Errorf("%s: escape %q, BuildKit %q", name, f.Escape, res.EscapeToken)
	}
}

func TestParseMatchesBuildKit(t *testing.T) {
	files := corpusFiles(t)
	for _, name := range sortedKeys(files) {
		compareWithBuildKit(t, name, Parse(files[name]))
	}
}

// edit is one random text edit.
type edit struct {
	start, end int
	text       string
}

// randomEdit makes an edit of a kind that can change instruction
// boundaries: characters, lines, continuations, heredocs, comments.
func randomEdit(rng *rand.Rand, f *File) edit {
	n := len(f.Text)
	pos := 0
	if n > 0 {
		pos = rng.Intn(n + 1)
	}
	lineStart := func() int {
		if f.NumLines() == 0 {
			return 0
		}
		return f.LineStart(rng.Intn(f.NumLines() + 1))
	}
	switch rng.Intn(12) {
	case 0: // insert characters
		return edit{pos, pos, []string{"x", " ", "$A", "\"", "'", "é", "🚀", "=", "#", "--flag "}[rng.Intn(10)]}
	case 1: // delete characters
		return edit{pos, min(n, pos+rng.Intn(8)), ""}
	case 2: // insert a line
		p := lineStart()
		return edit{p, p, []string{"RUN echo new\n", "FROM scratch AS s\n", "\n", "ENV A=b\n", "LABEL x\n", "MAINTAINER me\n"}[rng.Intn(6)]}
	case 3: // delete a line
		if f.NumLines() == 0 {
			return edit{0, 0, "FROM a\n"}
		}
		l := rng.Intn(f.NumLines())
		return edit{f.LineStart(l), f.LineStart(l + 1), ""}
	case 4: // break a line with a continuation
		return edit{pos, pos, " \\\n"}
	case 5: // join a continuation
		if i := strings.Index(f.Text[pos:], "\\\n"); i >= 0 {
			return edit{pos + i, pos + i + 2, ""}
		}
		return edit{pos, pos, "\\"}
	case 6: // open a heredoc
		p := lineStart()
		return edit{p, p, []string{"RUN <<EOF\n", "COPY <<A /a\n", "RUN cat <<-'X'\n"}[rng.Intn(3)]}
	case 7: // close a heredoc
		p := lineStart()
		return edit{p, p, []string{"EOF\n", "A\n", "\tX\n"}[rng.Intn(3)]}
	case 8: // a comment
		p := lineStart()
		return edit{p, p, []string{"# comment\n", "#\n", "# check=skip=all\n", "# escape=`\n", "# syntax=x\n"}[rng.Intn(5)]}
	case 9: // replace a range with text spanning lines
		e := min(n, pos+rng.Intn(40))
		return edit{pos, e, "a \\\n b\nRUN <<EOF\n"}
	case 10: // an empty continuation line
		p := lineStart()
		return edit{p, p, "RUN a \\\n\n b\n"}
	default: // delete a newline
		if i := strings.IndexByte(f.Text[pos:], '\n'); i >= 0 {
			return edit{pos + i, pos + i + 1, ""}
		}
		return edit{pos, pos, "\n"}
	}
}

// TestIncrementalMatchesWholeParse applies random edits to every corpus
// file and fixture and checks that each incremental result equals a fresh
// whole-file parse, which in turn must agree with BuildKit.
func TestIncrementalMatchesWholeParse(t *testing.T) {
	files := corpusFiles(t)
	edits := 40
	if testing.Short() {
		edits = 8
	}
	for _, name := range sortedKeys(files) {
		rng := rand.New(rand.NewSource(int64(len(name)*7919 + len(files[name]))))
		f := Parse(files[name])
		for i := 0; i < edits; i++ {
			e := randomEdit(rng, f)
			nf, clamped := f.Edit(e.start, e.end, e.text)
			if clamped {
				t.Fatalf("%s: edit %d %+v was clamped", name, i, e)
			}
			fresh := Parse(nf.Text)
			if !reflect.DeepEqual(nf.starts, fresh.starts) {
				t.Fatalf("%s: after edit %d %+v line starts %v, want %v", name, i, e, nf.starts, fresh.starts)
			}
			if got, want := dumpFile(nf), dumpFile(fresh); got != want {
				t.Fatalf("%s: after edit %d %+v the incremental parse differs from a whole parse\nold text:\n%s\nnew text:\n%s\ngot:\n%s\nwant:\n%s", name, i, e, f.Text, nf.Text, got, want)
			}
			compareWithBuildKit(t, fmt.Sprintf("%s after edit %d", name, i), nf)
			if t.Failed() {
				return
			}
			f = nf
		}
	}
}

func TestEditClamps(t *testing.T) {
	f := Parse("FROM a\nRUN b\n")
	nf, clamped := f.Edit(100, 200, "RUN c\n")
	if !clamped {
		t.Error("out-of-range edit not reported as clamped")
	}
	if nf.Text != "FROM a\nRUN b\nRUN c\n" {
		t.Errorf("text %q", nf.Text)
	}
	nf, clamped = nf.Edit(-5, 4, "from")
	if !clamped || nf.Text != "from a\nRUN b\nRUN c\n" {
		t.Errorf("clamped=%v text %q", clamped, nf.Text)
	}
	if got := len(nf.Instructions()); got != 3 {
		t.Errorf("%d instructions, want 3", got)
	}
}

// TestEditReusesChunks checks that an edit inside one instruction leaves
// the other instructions' parsed data shared with the old File.
func TestEditReusesChunks(t *testing.T) {
	var b strings.Builder
	b.WriteString("FROM alpine\n")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&b, "RUN echo %d \\\n  && true\n", i)
	}
	f := Parse(b.String())
	off := f.LineStart(101) // inside instruction 51
	nf, _ := f.Edit(off, off, "x")
	shared := 0
	for i := range nf.refs {
		for j := range f.refs {
			if nf.refs[i].c == f.refs[j].c {
				shared++
			}
		}
	}
	if shared != len(f.refs)-1 {
		t.Errorf("%d of %d chunks shared, want all but one", shared, len(f.refs))
	}
}

// FuzzIncremental applies one edit to a seed file and checks the
// incremental parse against a whole parse and BuildKit.
func FuzzIncremental(f *testing.F) {
	for _, name := range sortedKeys(fixtures) {
		text := fixtures[name]
		f.Add(text, uint16(len(text)/2), uint8(3), "RUN <<EOF\n")
		f.Add(text, uint16(len(text)/3), uint8(0), " \\\n")
	}
	f.Fuzz(func(t *testing.T, text string, pos uint16, del uint8, ins string) {
		if len(text) > 1<<14 || len(ins) > 1<<10 {
			return
		}
		base := Parse(text)
		start := min(int(pos), len(text))
		end := min(start+int(del), len(text))
		nf, _ := base.Edit(start, end, ins)
		if got, want := dumpFile(nf), dumpFile(Parse(nf.Text)); got != want {
			t.Fatalf("incremental parse differs\ngot:\n%s\nwant:\n%s", got, want)
		}
		compareWithBuildKit(t, "fuzz", nf)
	})
}

// TestParallelParseMatchesSequential forces the concurrent whole-file parse
// on every file, whole and concatenated with others (so that cuts fall in
// heredocs, continuations and comments), and compares it with a sequential
// parse.
func TestParallelParseMatchesSequential(t *testing.T) {
	defer func(old int) { parallelMin = old }(parallelMin)
	parallelMin = 0
	files := corpusFiles(t)
	keys := sortedKeys(files)
	check := func(name, text string) {
		starts := lineStarts(text)
		f := Parse(text)
		seq := &File{Text: text, starts: starts}
		seq.Directives, seq.Escape = directivesOf(text)
		chunks, _ := parseWindow(text, starts, true, seq.Escape, true)
		seq.setChunks(chunks)
		if got, want := dumpFile(f), dumpFile(seq); got != want {
			t.Fatalf("%s: parallel parse differs\ngot:\n%s\nwant:\n%s", name, got, want)
		}
	}
	for i, name := range keys {
		check(name, files[name])
		next := keys[(i+1)%len(keys)]
		check(name+"+"+next, files[name]+files[next]+fixtures["heredocs"]+files[name])
	}
	// A cut guessed inside a heredoc body must be caught and repaired.
	before := parallelFallbacks.Load()
	var b strings.Builder
	b.WriteString("FROM alpine\n")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&b, "RUN <<EOF\necho %d\nRUN not an instruction\nEOF\n", i)
	}
	check("heredoc-cuts", b.String())
	if parallelFallbacks.Load() == before {
		t.Error("no cut fell inside a heredoc: the fallback path went untested")
	}
}

// TestParallelCutsAvoidHeredocBodies: heredoc bodies whose lines begin with
// a word (a command, a key=value) are not taken for instruction starts, so
// a file full of them is still parsed in parallel to the end.
func TestParallelCutsAvoidHeredocBodies(t *testing.T) {
	for _, line := range []string{
		"RUN <<EOF\necho building step && mkdir -p /app/out\nEOF\n",
		"COPY <<EOF /app/conf/1.conf\nkey=1\nEOF\n",
		"run <<eof\nset -e\neof\n",
	} {
		text := "FROM debian:bookworm-slim AS s\n" + strings.Repeat(line, 2000)
		before := parallelFallbacks.Load()
		f := Parse(text)
		if n := parallelFallbacks.Load() - before; n != 0 {
			t.Errorf("%q: %d sequential fallbacks", line, n)
		}
		if got := len(f.Instructions()); got != 2001 {
			t.Errorf("%q: %d instructions, want 2001", line, got)
		}
	}
}

func TestStartsWithKeyword(t *testing.T) {
	for line, want := range map[string]bool{
		"RUN x": true, "run\tx": true, "Healthcheck NONE": true, "FROM": true, "from\n": true, "WORKDIR\r\n": true,
		"EOF": false, "echo RUN": false, "key=1": false, "RUNNING x": false, "runx": false, " RUN x": false,
		"": false, "ENV=1": false, "healthchecks x": false, "copy-x": false,
	} {
		if got := startsWithKeyword(line); got != want {
			t.Errorf("startsWithKeyword(%q) = %v, want %v", line, got, want)
		}
	}
}
