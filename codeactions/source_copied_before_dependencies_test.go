// This file tests the fix of SourceCopiedBeforeDependencies without a
// build context: the ecosystem's usual names are copied, and nothing is
// offered for the ecosystems whose files cannot be guessed (gradle,
// dotnet, the Maven wrapper, cargo).
package codeactions

import (
	"testing"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

func TestSourceBeforeDepsWithoutContext(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"npm", "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n",
			"FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"},
		{"pnpm", "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN pnpm install --frozen-lockfile\n",
			"FROM node:20\nWORKDIR /app\nCOPY package.json pnpm-lock.yaml* ./\nRUN pnpm install --frozen-lockfile\nCOPY . .\n"},
		{"go", "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n",
			"FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\n"},
		{"gradle", "FROM gradle:8-jdk21\nWORKDIR /src\nCOPY . .\nRUN gradle build\n", ""},
		{"dotnet", "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\nRUN dotnet publish -o /out\n", ""},
		{"mvnw", "FROM eclipse-temurin:21-jdk\nWORKDIR /src\nCOPY . .\nRUN ./mvnw package\n", ""},
		{"cargo", "FROM rust:1.80\nWORKDIR /src\nCOPY . .\nRUN cargo build --release\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := NewInput(analysis.Parse(tc.in), rules.All, analysis.Options{}, nil)
			var ds []analysis.Diagnostic
			for _, d := range in.Diagnostics() {
				if d.Rule == "SourceCopiedBeforeDependencies" {
					ds = append(ds, d)
				}
			}
			if len(ds) != 1 {
				t.Fatalf("want one finding, got %v", ds)
			}
			acts, errs := ForDiagnostics(in, ds)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			var got string
			for _, a := range acts {
				if a.Suppress {
					continue
				}
				if got != "" {
					t.Fatalf("more than one fix: %q", a.Title)
				}
				got, _ = Apply(in.File.Text, a.Edits)
			}
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
