package main

import (
	"os"
	"testing"
)

// TestUpToDate fails when the zz_*.go files or LICENSE of package bkparse
// are not what gen makes of the BuildKit version in go.mod: after a
// BuildKit upgrade, run `go generate ./internal/bkparse`.
func TestUpToDate(t *testing.T) {
	if err := os.Chdir(".."); err != nil {
		t.Fatal(err)
	}
	stale, err := run(true)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range stale {
		t.Errorf("internal/bkparse/%s is stale: run go generate ./internal/bkparse", name)
	}
}
