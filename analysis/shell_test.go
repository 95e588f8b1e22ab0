package analysis

import (
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

// callNames returns the command names of every simple command in s, each
// with the Dockerfile text at the offsets the script maps it to.
func callNames(t *testing.T, f *File, s *ShellScript) []string {
	t.Helper()
	var names []string
	syntax.Walk(s.File, func(n syntax.Node) bool {
		if c, ok := n.(*syntax.CallExpr); ok && len(c.Args) > 0 {
			w := c.Args[0]
			lit := w.Lit()
			at := f.Text[s.Offset(w.Pos()):s.Offset(w.End())]
			if lit != "" && lit != at {
				t.Errorf("command %q maps to Dockerfile text %q", lit, at)
			}
			names = append(names, lit)
		}
		return true
	})
	return names
}

func TestShellScript(t *testing.T) {
	tests := []struct {
		name, dockerfile string
		shell            []string
		want             string // command names, space separated; "-" for no script
		heredoc          bool
	}{
		{"chain", "FROM a\nRUN apt-get update && apt-get install -y curl; rm -rf /x\n", nil, "apt-get apt-get rm", false},
		{"flags", "FROM a\nRUN --mount=type=cache,target=/root/.npm --network=none npm ci\n", nil, "npm", false},
		{"continuation", "FROM a\nRUN cd /app \\\n  # a comment BuildKit drops\n  && CGO_ENABLED=0 go build ./...\n", nil, "cd go", false},
		{"crlf", "FROM a\r\nRUN echo a \\\r\n  && make\r\n", nil, "echo make", false},
		{"heredoc script", "FROM a\nRUN <<EOF\nset -e\nnpm ci\nnpm run build\nEOF\n", nil, "set npm npm", true},
		{"heredoc stdin", "FROM a\nRUN cat > /x <<EOF\nnot a command\nEOF\n", nil, "cat", false},
		{"python heredoc", "FROM a\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n", nil, "-", false},
		{"exec sh -c", "FROM a\nRUN [\"sh\", \"-c\", \"pip install -r r.txt\"]\n", nil, "pip", false},
		{"exec", "FROM a\nRUN [\"pip\", \"install\", \"x\"]\n", nil, "-", false},
		{"powershell", "FROM a\nRUN Get-ChildItem\n", []string{"powershell", "-command"}, "-", false},
		{"bash", "FROM a\nRUN [[ -f x ]] && go mod download\n", []string{"/bin/bash", "-c"}, "go", false},
		{"backtick", "# escape=`\nFROM a\nRUN echo a `\n  && make\n", nil, "echo make", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Parse(tt.dockerfile)
			in := f.Instructions()[1]
			s := in.ShellScript(tt.shell)
			if tt.want == "-" {
				if s != nil {
					t.Fatalf("got a script %q, want none", s.Src)
				}
				return
			}
			if s == nil || s.File == nil {
				t.Fatalf("no script: %+v", s)
			}
			if got := strings.Join(callNames(t, f, s), " "); got != tt.want {
				t.Errorf("commands %q, want %q (script %q)", got, tt.want, s.Src)
			}
			if s.Heredoc != tt.heredoc {
				t.Errorf("Heredoc = %v", s.Heredoc)
			}
		})
	}
}

func TestShellScriptNotRun(t *testing.T) {
	f := Parse("FROM a\nCMD echo hi\n")
	if s := f.Instructions()[1].ShellScript(nil); s != nil {
		t.Errorf("CMD got a script")
	}
}

// TestShellScriptCorpus parses every RUN of the corpus: no panic, and the
// scripts that parse map their commands back to the Dockerfile text.
func TestShellScriptCorpus(t *testing.T) {
	files := corpusFiles(t)
	runs, parsed := 0, 0
	for _, name := range sortedKeys(files) {
		f := Parse(files[name])
		for _, in := range f.Instructions() {
			s := in.ShellScript(nil)
			if s == nil {
				continue
			}
			runs++
			if s.File != nil {
				parsed++
				callNames(t, f, s)
			}
		}
	}
	t.Logf("%d RUN scripts, %d parsed", runs, parsed)
	if runs > 0 && parsed < runs*9/10 {
		t.Errorf("only %d of %d RUN scripts parsed", parsed, runs)
	}
}

// The cached script of an instruction follows it when an edit above moves it.
func TestShellScriptAfterEdit(t *testing.T) {
	f := Parse("FROM a\nRUN x\nRUN npm ci && make\n")
	f.Instructions()[2].ShellScript(nil) // fill the cache
	nf, _ := f.Edit(7, 7, "ENV A=1\n")
	if nf.Instructions()[3].ref.c != f.Instructions()[2].ref.c {
		t.Fatal("the edit re-parsed the RUN; the test needs it reused")
	}
	s := nf.Instructions()[3].ShellScript(nil)
	if got := strings.Join(callNames(t, nf, s), " "); got != "npm make" {
		t.Errorf("commands %q", got)
	}
}
