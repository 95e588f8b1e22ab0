package analysis

import (
	"reflect"
	"slices"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
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
