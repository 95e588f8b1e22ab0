// This file tests MissingCacheMount's fix through "fix all": two apt RUNs
// of a stage get one docker-clean removal between them.
package codeactions

import (
	"strings"
	"testing"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

func TestFixAllCacheMountsOneDockerClean(t *testing.T) {
	src := `FROM debian:bookworm
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*
CMD ["bash"]
`
	in := NewInput(analysis.Parse(src), rules.All, analysis.Options{}, nil)
	res := FixAll(in, FixOptions{Rules: []string{"MissingCacheMount"}, Unsafe: true})
	for _, err := range res.Errors {
		t.Error(err)
	}
	if res.Action == nil {
		t.Fatal("nothing fixed")
	}
	out, err := Apply(src, res.Action.Edits)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out, "rm -f /etc/apt/apt.conf.d/docker-clean"); n != 1 {
		t.Errorf("docker-clean removed %d times, want 1:\n%s", n, out)
	}
	if n := strings.Count(out, "--mount=type=cache,target=/var/cache/apt,sharing=locked"); n != 2 {
		t.Errorf("%d RUNs with the apt cache mount, want 2:\n%s", n, out)
	}
	if strings.Contains(out, "/var/lib/apt/lists/*") {
		t.Errorf("the lists are still deleted:\n%s", out)
	}
	for _, d := range analysis.Check(analysis.Parse(out), rules.All, analysis.Options{}) {
		switch d.Rule {
		case "MissingCacheMount", "CacheMountDefeated", "AptCacheMountNotLocked":
			t.Errorf("the result has %s: %s\n%s", d.Rule, d.Message, out)
		}
	}
}
