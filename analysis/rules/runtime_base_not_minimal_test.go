package rules

import (
	"strings"
	"testing"

	"github.com/dockwise/dockwise/analysis"
)

// The advice to build native packages in a build stage comes only when the
// runtime image's own chain installs language packages: not when they are
// installed in a separate build stage and copied (the fixture's want lines
// match by substring and cannot tell the two messages apart).
func TestRuntimeBaseNotMinimalNativeAdvice(t *testing.T) {
	const advice = "install the dependencies in a build stage"
	tests := []struct {
		name, dockerfile string
		advises          bool
	}{
		{"installs in the final stage", "FROM node:22-bookworm\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nCMD [\"node\", \"main.js\"]\n", true},
		{"installs in a parent stage", "FROM python:3.12 AS deps\nRUN pip install -r requirements.txt\nFROM deps\nCOPY . .\nCMD [\"python\", \"app.py\"]\n", true},
		{"installs in a build stage only", "FROM node:20-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nFROM node:22-bookworm\nWORKDIR /app\nCOPY --from=build /app/dist ./dist\nCMD [\"node\", \"dist/main.js\"]\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := analysis.Check(analysis.Parse(tt.dockerfile), []*analysis.Rule{RuntimeBaseNotMinimal}, analysis.Options{})
			if len(ds) != 1 {
				t.Fatalf("got %d findings, want 1: %v", len(ds), ds)
			}
			if got := strings.Contains(ds[0].Message, advice); got != tt.advises {
				t.Errorf("advice given: %v, want %v: %s", got, tt.advises, ds[0].Message)
			}
		})
	}
}
