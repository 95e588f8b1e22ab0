package analysis

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/dockwise/dockwise/internal/bigfile"
)

// joinedRuns runs commandsTogether over a fresh parse of text and returns,
// per instruction index, the commands of every RUN (nil when not known) and
// how many RUNs the joined parse cached.
func joinedRuns(text string) (map[int][]Command, int) {
	f := Parse(text)
	commandsTogether(f.Instructions())
	cached := 0
	for _, in := range f.Instructions() {
		if in.Is("run") && in.Node() != nil {
			// Done, without running the once: the joined parse cached it.
			if s := in.sem(); s.run.cmds.last.Load() != nil {
				cached++
			}
		}
	}
	out := map[int][]Command{}
	for _, in := range f.Instructions() {
		if in.Is("run") {
			out[in.Index] = in.Commands(nil)
		}
	}
	return out, cached
}

// aloneRuns returns the commands of every RUN, each script parsed alone.
func aloneRuns(text string) map[int][]Command {
	f := Parse(text)
	out := map[int][]Command{}
	for _, in := range f.Instructions() {
		if in.Is("run") {
			cmds, ok := in.extractCommands()
			if !ok {
				cmds = nil
			}
			out[in.Index] = cmds
		}
	}
	return out
}

func sameCommands(t *testing.T, name, text string) int {
	t.Helper()
	joined, cached := joinedRuns(text)
	alone := aloneRuns(text)
	for i, want := range alone {
		if got := joined[i]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: instruction %d: commands of the joined parse differ from the script's own parse\njoined: %+v\nalone:  %+v", name, i, got, want)
		}
	}
	return cached
}

// The commands of RUNs parsed together are those of each script parsed
// alone: in every corpus file, the fixtures and the benchmark file.
func TestCommandsTogetherCorpus(t *testing.T) {
	cached := 0
	for name, text := range corpusFiles(t) {
		cached += sameCommands(t, name, text)
	}
	if n := sameCommands(t, "bigfile", bigfile.Generate()); n < 500 {
		t.Errorf("bigfile: %d RUNs cached by the joined parse, want most of its 1,400", n)
	}
	t.Logf("%d corpus RUNs came from joined parses", cached)
}

// runLines are RUN instructions, complete or not: a script that is not
// complete must not take the next one in, whatever follows it.
var runLines = []string{
	`RUN echo a`,
	`RUN apt-get update && apt-get install -y curl`,
	`RUN cd /src && go build -o /app . ; echo done`,
	`RUN f() { echo in f; } ; f`,
	`RUN f`,
	`RUN sh -c 'apt-get install -y x && echo "$HOME"'`,
	`RUN bash -c "cd /a && make \
    install"`,
	`RUN export A=1 B=2; env`,
	`RUN echo "a`,
	`RUN echo b"`,
	`RUN echo 'x`,
	`RUN echo y'`,
	`RUN if true; then echo a`,
	`RUN fi`,
	`RUN echo a &&`,
	`RUN echo a ||`,
	`RUN echo a |`,
	`RUN echo $(ls`,
	`RUN )`,
	`RUN (echo sub`,
	"RUN echo `date",
	"RUN echo x`",
	`RUN case x in`,
	`RUN esac`,
	`RUN for i in 1 2; do echo $i`,
	`RUN done`,
	`RUN { echo block`,
	`RUN }`,
	`RUN echo a # comment`,
	`RUN echo a \\`,
	`RUN ["sh", "-c", "echo exec && ls"]`,
	`RUN ["sh", "-c", "echo 'open"]`,
	`RUN ["npm", "ci"]`,
	`RUN ["sh", "-c", "echo a \\"]`,
	`RUN ["sh", "-c", "echo a \\\n"]`,
	`RUN ["sh", "-c", ""]`,
	`RUN ["sh", "-c", "cat <<EOF"]`,
	`RUN ["sh", "-c", "cat <<EOF\nx"]`,
	`RUN ["sh", "-c", "EOF"]`,
	`RUN ["sh", "-c", "tr a b <<< x"]`,
	`RUN ["sh", "-c", "\n"]`,
	`RUN cat <<EOF > /x` + "\nbody\nEOF",
	"RUN <<EOF\necho heredoc\nEOF",
	"RUN <<EOF\necho \"open\nEOF",
	"RUN <<EOF\necho a \\\nEOF",
	"RUN <<EOF\nif true; then\nEOF",
	"RUN <<EOF\ncd /x\nexport A=1\necho $A\nEOF",
	"RUN <<-EOF\n\techo tabs \\\n\t  more\n\tEOF",
	`RUN echo $((1 +`,
	`RUN echo 2))`,
	`RUN pip install -r requirements.txt \` + "\n    && rm -rf /root/.cache",
	`RUN echo ${A:-`,
	`RUN echo }`,
	`RUN [[ -f x`,
	`RUN ]] && echo y`,
}

// Every pair of RUNs, followed by a complete one, and random sequences.
func TestCommandsTogetherProperty(t *testing.T) {
	cached := 0
	for _, head := range []string{"FROM alpine\n", "# escape=`\nFROM alpine\n"} {
		for i, a := range runLines {
			for j, b := range runLines {
				text := head + a + "\n" + b + "\nRUN echo z `\n  && echo y\n"
				cached += sameCommands(t, fmt.Sprintf("pair %d %d after %q", i, j, head), text)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 600; i++ {
		var b strings.Builder
		b.WriteString("FROM alpine\n")
		for n := 2 + r.IntN(10); n > 0; n-- {
			b.WriteString(runLines[r.IntN(len(runLines))])
			b.WriteByte('\n')
		}
		cached += sameCommands(t, fmt.Sprintf("case %d", i), b.String())
	}
	if cached == 0 {
		t.Error("no RUN came from a joined parse")
	}
}

// FuzzCommandsTogether: for any Dockerfile, the commands of the joined
// parse are those of each script's own parse.
func FuzzCommandsTogether(f *testing.F) {
	for i := 0; i+1 < len(runLines); i += 2 {
		f.Add("FROM alpine\n" + runLines[i] + "\n" + runLines[i+1] + "\nRUN echo z\n")
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 1<<14 {
			return
		}
		sameCommands(t, "fuzz", text)
	})
}
