package analysis

import (
	"reflect"
	"slices"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/dockwise/dockwise/internal/bigfile"
)

// TestTrimRun checks that the RUN command dockwise caches keeps everything
// but BuildKit's flag parser state.
func TestTrimRun(t *testing.T) {
	if !runExternalOK {
		t.Fatal("instructions.RunCommand has no field withExternalData: update trimRun for this BuildKit")
	}
	f := Parse("FROM alpine\n# the build\nRUN --mount=type=cache,target=/root/.cache --network=none <<EOF\necho hi\nEOF\n")
	in := f.Instructions()[1]
	got, ok := in.Command().(*instructions.RunCommand)
	if !ok {
		t.Fatalf("Command() = %T", in.Command())
	}
	whole, err := instructions.ParseInstruction(in.Node())
	if err != nil {
		t.Fatal(err)
	}
	want := whole.(*instructions.RunCommand)
	// FlagsUsed comes from a map: compare it as a set.
	gotFlags, wantFlags := slices.Sorted(slices.Values(got.FlagsUsed)), slices.Sorted(slices.Values(want.FlagsUsed))
	if !reflect.DeepEqual(got.ShellDependantCmdLine, want.ShellDependantCmdLine) || !reflect.DeepEqual(gotFlags, wantFlags) || len(gotFlags) != 2 {
		t.Errorf("trimmed RUN lost its command line or flags: %+v, want %+v", got, want)
	}
	if got.Name() != want.Name() || got.String() != want.String() || !reflect.DeepEqual(got.Location(), want.Location()) || !reflect.DeepEqual(got.Comments(), want.Comments()) {
		t.Errorf("trimmed RUN lost its name, code, location or comments")
	}
	if len(instructions.GetMounts(want)) != 1 {
		t.Fatalf("BuildKit's RUN has %d mounts, want 1", len(instructions.GetMounts(want)))
	}
	if !reflect.ValueOf(got).Elem().FieldByIndex(runExternal.Index).IsZero() {
		t.Errorf("trimmed RUN still holds BuildKit's flag state")
	}
}

// TestRunWithoutFlags compares the typed command of every RUN without
// flags in the corpus, the fixtures and the benchmark file with BuildKit's
// (trimmed as trimRun does).
func TestRunWithoutFlags(t *testing.T) {
	if !runWithoutFlagsOK {
		t.Fatal("instructions.RunCommand or CmdCommand changed: update parseRunWithoutFlags for this BuildKit")
	}
	files := corpusFiles(t)
	files["bigfile"] = bigfile.Generate()
	files["forms"] = "FROM a\nRUN echo a\nrun [\"echo\", \"b\"]\nRun <<EOF\nx\nEOF\n# c1\n# c2\nRUN \\\n  echo c\nRUN\nRUN []\nRUN [\"unterminated\"\n"
	n := 0
	for name, text := range files {
		f := Parse(text)
		for _, in := range f.Instructions() {
			node := in.Node()
			if node == nil || !in.Is("run") || len(node.Flags) > 0 {
				continue
			}
			got, gotErr := parseRunWithoutFlags(node)
			want, wantErr := parseInstruction(node, quietLinter)
			if r, ok := want.(*instructions.RunCommand); ok {
				want = trimRun(r)
			}
			if !reflect.DeepEqual(got, want) || (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
				t.Fatalf("%s: %q: got %+v, %v; BuildKit %+v, %v", name, node.Original, got, gotErr, want, wantErr)
			}
			n++
		}
	}
	if n < 2000 {
		t.Errorf("only %d RUNs compared", n)
	}
}
