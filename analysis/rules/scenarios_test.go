// This file holds the seed scenarios: real-looking Dockerfiles of common
// stacks (testdata/scenarios/*.txtar, each with its build context), a
// classic single-stage version and a good multi-stage one, with every
// diagnostic all rules report, matched one to one.
package rules

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dockwise/dockwise/analysis"
	"golang.org/x/tools/txtar"
)

// plannedRules are rules of the issue that may not be registered yet: their
// expectations are skipped (and logged) until they are.
var plannedRules = map[string]bool{
	"SingleStageBuild": true, "RuntimeBaseNotMinimal": true, "CgoEnabledForStaticBase": true,
	"ShellFormWithoutShell": true, "DevDependenciesInRuntime": true, "UnreachableStage": true,
	"UnlockedDependencyInstall": true, "CleanupInSeparateLayer": true, "MissingCacheMount": true,
	"CacheMountDefeated": true, "AptCacheMountNotLocked": true, "RootRuntimeUser": true,
}

func TestScenarios(t *testing.T) {
	paths, err := filepath.Glob("testdata/scenarios/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no scenarios")
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var want []expectation
			if !*update {
				for _, f := range ar.Files {
					if f.Name != "want" {
						continue
					}
					for _, w := range parseWant(t, f.Data) {
						if ByName(w.rule) == nil && w.rule != analysis.ParseErrorRule {
							if !plannedRules[w.rule] {
								t.Errorf("no rule %s: %s", w.rule, w.raw)
							} else {
								t.Logf("rule %s is not registered yet: %s", w.rule, w.raw)
							}
							continue
						}
						want = append(want, w)
					}
				}
			}
			var got []string
			cases := 0
			for _, c := range casesOf(ar) {
				if _, ok := c.files["Dockerfile"]; !ok {
					continue
				}
				cases++
				f, ds := runCase(t, c, "")
				for _, d := range ds {
					msg, _, _ := strings.Cut(d.Message, "`")
					line := fmt.Sprintf("%s/Dockerfile:%d %s %s `%s`", c.name, f.LineOf(d.Start)+1,
						strconv.Quote(f.Text[d.Start:d.End]), d.Rule, msg)
					got = append(got, line)
					if !matchOne(&want, c.name, f, d) && !*update {
						t.Errorf("unexpected diagnostic: %s", line)
					}
				}
			}
			if *update {
				writeWant(t, path, ar, got)
				return
			}
			if cases < 2 {
				t.Errorf("%d cases; want a single-stage and a multi-stage one at least", cases)
			}
			for _, w := range want {
				t.Errorf("missing diagnostic: %s", w.raw)
			}
		})
	}
}
