// Package bkparse is BuildKit's Dockerfile parser
// (github.com/moby/buildkit/frontend/dockerfile/parser) with its two
// regular expressions on the hot path replaced by loops that do the same,
// and its heredoc detection's lexers reused:
//
//   - the line-continuation test, run on every line of a Dockerfile, which
//     BuildKit writes as `([^\\])\\[ \t]*$|^\\[ \t]*$` (the escape token in
//     place of the backslash);
//   - the whitespace split `[\t\v\f\r ]+` that separates an instruction's
//     keyword from its arguments and splits most instructions' arguments;
//   - the shell lexers that read a line with `<<` for heredocs, two per such
//     line and 1.6 KB each (text/scanner's buffer), which come from a pool;
//     and which are not run at all on text they would return split at
//     blanks (see processWords), nor the heredoc expression on a word
//     without `<<`;
//   - the word splitting of ENV, LABEL and ARG arguments, which builds every
//     word rune by rune: plain words (no quote, no escape token, ASCII) are
//     cut out of the line instead (parseWords); and the three nodes of each
//     key=value pair are allocated together (newKeyValueNode);
//   - strings.ToLower on the keyword, three times per instruction: a keyword
//     in capitals gets BuildKit's constant instead of a new string;
//   - the continuation expression every parse compiled (and again for an
//     escape directive), unused since the loop replaced it, is gone; in its
//     place the parse's state holds a slab its instruction nodes are taken
//     from (newNode), so that the nodes a document keeps sit together
//     instead of being copied out of the parse's garbage.
//
// On the benchmark file (internal/bigfile) the two expressions take about
// two thirds of BuildKit's parse time: this package parses it 2.4-2.8 times
// faster than BuildKit's parser, with 3.9 MB allocated instead of 6.9
// (BenchmarkParse against BenchmarkBuildKitParse); the lexers were 7 % of
// the bytes an open allocates.
// Everything else is BuildKit's code, copied by ./gen from the module
// version in go.mod into the zz_*.go files (run `go generate
// ./internal/bkparse` after a BuildKit upgrade; gen's TestUpToDate fails
// until then). The parse tree, warnings and errors
// are BuildKit's own types (the aliases below), so the nodes go straight to
// BuildKit's instructions package. equal_test.go compares the two parsers'
// results on the corpus and the benchmark file, and the replacements with
// the regular expressions on every short string over the characters that
// matter; FuzzParse does the same for any text.
package bkparse

//go:generate go run ./gen

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// BuildKit's types, used as they are.
type (
	Node            = parser.Node
	Heredoc         = parser.Heredoc
	Result          = parser.Result
	Warning         = parser.Warning
	Range           = parser.Range
	Position        = parser.Position
	Directive       = parser.Directive
	DirectiveParser = parser.DirectiveParser
)

// WithLocation is BuildKit's: it makes the *parser.LocationError that
// callers of BuildKit's parser look for.
func WithLocation(err error, location []Range) error { return parser.WithLocation(err, location) }

// trimContinuationCharacter reports whether line ends the instruction and,
// when it does not, returns it without its continuation: the escape token
// as its last character other than spaces and tabs, not itself escaped,
// and the spaces and tabs after it. BuildKit matches line against
// `([^E])E[ \t]*$|^E[ \t]*$` (E the escape token, '\\' or '`', both ASCII,
// so never part of a multi-byte character) and replaces the match with
// its group: the same as cutting the line before the escape token.
func trimContinuationCharacter(line []byte, d *directives) ([]byte, bool) {
	i := len(line)
	for i > 0 && (line[i-1] == ' ' || line[i-1] == '\t') {
		i--
	}
	e := byte(d.escapeToken)
	if i == 0 || line[i-1] != e {
		return line, true
	}
	if i == 1 {
		return line[:0], false // the token alone on its line
	}
	if line[i-2] == e {
		return line, true // an escaped escape token
	}
	return line[:i-1], false
}

// isSplitSpace reports whether c is in BuildKit's `[\t\v\f\r ]`.
func isSplitSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'
}

// splitWhitespace is regexp.MustCompile(`[\t\v\f\r ]+`).Split(s, n): the
// substrings of s between runs of those characters, at most n of them when
// n > 0 (the last holding the rest of s); a run at the start of s gives an
// empty first substring, a run at its end an empty last one.
func splitWhitespace(s string, n int) []string {
	if n == 0 {
		return nil
	}
	var out []string
	if n > 0 {
		out = make([]string, 0, n)
	}
	beg := 0
	for i := 0; i < len(s); {
		if n > 0 && len(out) == n-1 {
			break
		}
		if !isSplitSpace(s[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && isSplitSpace(s[j]) {
			j++
		}
		out = append(out, s[beg:i])
		beg, i = j, j
	}
	return append(out, s[beg:])
}

// lexPool holds the lexers getLex hands out.
var lexPool = sync.Pool{New: func() any { return new(shell.Lex) }}

// getLex returns what shell.NewLex(escape) does, reusing a lexer putLex
// gave back (every field reset). BuildKit's code calls it where it called
// shell.NewLex, and gives the lexer back when the function returns.
func getLex(escape rune) *shell.Lex {
	l := lexPool.Get().(*shell.Lex)
	*l = *shell.NewLex(escape)
	return l
}

func putLex(l *shell.Lex) { lexPool.Put(l) }

// findHeredoc is reHeredoc.FindStringSubmatch(s): the expression,
// `^(\d*)<<(-?)\s*([^<]*)$`, cannot match without "<<" (most words).
func findHeredoc(s string) []string {
	if !strings.Contains(s, "<<") {
		return nil
	}
	return reHeredoc.FindStringSubmatch(s)
}

// Keyword reports whether s is one of BuildKit's instruction keywords, in
// any case, and returns it in lower case (without allocating).
func Keyword(s string) (string, bool) {
	if len(s) < 3 {
		return "", false
	}
	// The candidate by length and first letter, then compared.
	var k string
	switch c := s[0] | 0x20; len(s) {
	case 3:
		switch c {
		case 'a':
			k = "add"
			if s[1]|0x20 == 'r' {
				k = "arg"
			}
		case 'c':
			k = "cmd"
		case 'e':
			k = "env"
		case 'r':
			k = "run"
		}
	case 4:
		switch c {
		case 'c':
			k = "copy"
		case 'f':
			k = "from"
		case 'u':
			k = "user"
		}
	case 5:
		switch c {
		case 'l':
			k = "label"
		case 's':
			k = "shell"
		}
	case 6:
		switch c {
		case 'e':
			k = "expose"
		case 'v':
			k = "volume"
		}
	case 7:
		switch c {
		case 'o':
			k = "onbuild"
		case 'w':
			k = "workdir"
		}
	case 10:
		switch c {
		case 'e':
			k = "entrypoint"
		case 'm':
			k = "maintainer"
		case 's':
			k = "stopsignal"
		}
	case 11:
		k = "healthcheck"
	}
	if k == "" {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != k[i] {
			return "", false
		}
	}
	return k, true
}

// ToLower is strings.ToLower(s), without allocating for a keyword.
func ToLower(s string) string {
	if k, ok := Keyword(s); ok {
		return k
	}
	return strings.ToLower(s)
}

// processWords is l.ProcessWords(s, env) for the lexers of the heredoc
// detection (BuildKit's default escape token, no variables: env is
// emptyEnvs). On plain text (printable ASCII and ASCII blanks, with no
// quote, escape token or '$') the lexer only splits at blanks (Unicode's
// spaces: here \t \n \v \f \r and space), except that "<<" takes the
// blanks after it (\t \r and space) into its word; processWords does that
// itself, and runs the lexer on anything else.
func processWords(l *shell.Lex, s string, env shell.EnvGetter) ([]string, error) {
	if !plainWords(s) {
		return l.ProcessWords(s, env)
	}
	var words []string
	start := -1 // the current word's first byte; -1 between words
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '<' && i+1 < len(s) && s[i+1] == '<':
			if start < 0 {
				start = i
			}
			for i += 2; i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'); i++ {
			}
		case isASCIISpace(c):
			if start >= 0 {
				words = append(words, s[start:i])
				start = -1
			}
			i++
		default:
			if start < 0 {
				start = i
			}
			i++
		}
	}
	if start >= 0 {
		words = append(words, s[start:])
	}
	return words, nil
}

// plainWords reports whether s holds only printable ASCII and ASCII blanks,
// and none of the characters BuildKit's lexer treats specially other than
// '<': quotes, escape tokens and '$'.
func plainWords(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '$' || c == '\'' || c == '"' || c == '\\' || c == '`':
			return false
		case c >= ' ' && c <= '~', isASCIISpace(c):
		default:
			return false
		}
	}
	return true
}

// maxNodeSlab is the most instruction nodes newNode allocates together.
const maxNodeSlab = 64

// nodeSlab holds the nodes newNode hands out: it takes the place of the
// continuation expression in BuildKit's directives (the state of one
// parse).
type nodeSlab struct {
	nodes []Node
	used  int
}

// newNode returns a pointer to a copy of n, taken from d's slab of nodes:
// the instruction nodes of one parse are allocated together, 1, 2, 4, ...
// up to maxNodeSlab at a time (a parse of a few lines wastes none), so that
// those a document keeps sit together rather than one on each of many
// memory pages among the parse's garbage.
func newNode(d *directives, n Node) *Node {
	s := &d.nodes
	if s.used == len(s.nodes) {
		s.nodes = make([]Node, min(max(2*len(s.nodes), 1), maxNodeSlab))
		s.used = 0
	}
	p := &s.nodes[s.used]
	s.used++
	*p = n
	return p
}

// parseWords is BuildKit's parseWords (buildkitParseWords): the words of
// an ENV, LABEL or ARG line, split at blanks (Unicode's spaces) with quotes
// kept and escape tokens handled. For text in ASCII without a quote or an
// escape token that is the runs of non-blanks, cut out of rest here instead
// of built rune by rune.
func parseWords(rest string, d *directives) []string {
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; c >= utf8.RuneSelf || c == '\'' || c == '"' || rune(c) == d.escapeToken {
			return buildkitParseWords(rest, d)
		}
	}
	words := []string{}
	for i := 0; i < len(rest); {
		if isASCIISpace(rest[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(rest) && !isASCIISpace(rest[j]) {
			j++
		}
		words = append(words, rest[i:j])
		i = j
	}
	return words
}

// isASCIISpace reports whether c is one of the ASCII characters
// unicode.IsSpace accepts.
func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// newKeyValueNode is BuildKit's: key, value and separator chained, here in
// one allocation instead of three.
func newKeyValueNode(key, value, sep string) *Node {
	ns := new([3]Node)
	ns[2] = Node{Value: sep}
	ns[1] = Node{Value: value, Next: &ns[2]}
	ns[0] = Node{Value: key, Next: &ns[1]}
	return &ns[0]
}
