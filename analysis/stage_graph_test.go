// This file tests the stage graph queries: the final stage and the stages
// a stage needs.
package analysis

import (
	"strconv"
	"strings"
	"testing"
)

func TestNeeds(t *testing.T) {
	tests := []struct {
		name, src string
		want      string // the names (or indices) of the stages the final stage needs
	}{
		{"chain", "FROM golang AS a\nFROM a AS b\nFROM alpine AS c\nFROM b\n", "a b 3"},
		{"copy and mount", "FROM golang AS build\nFROM node AS web\nFROM alpine AS tools\nFROM alpine AS unused\n" +
			"FROM tools AS x\nRUN --mount=from=web,target=/w true\nCOPY --from=build /app /app\n", "build web tools x"},
		{"transitive", "FROM alpine AS a\nFROM alpine AS b\nCOPY --from=a / /\nFROM scratch\nCOPY --from=b / /\n", "a b 2"},
		{"index", "FROM alpine\nFROM alpine AS b\nFROM scratch\nCOPY --from=0 / /\n", "0 2"},
		{"image is not a stage", "FROM alpine AS a\nFROM scratch\nCOPY --from=nginx:1.27 / /\n", "1"},
		{"case-insensitive", "FROM alpine AS Build\nFROM scratch\nCOPY --from=BUILD / /\n", "build 1"},
		{"FROM variable without value", "FROM alpine AS bin-linux\nFROM alpine AS bin-windows\nFROM alpine AS other\nARG TARGETOS_X\nFROM bin-${TARGETOS_X}\n", "bin-linux bin-windows 3"},
		{"FROM with unknown variable", "ARG V\nFROM alpine AS base-a\nFROM alpine AS base-b\nFROM alpine AS c\nFROM base-$V\n", "base-a base-b 3"},
		{"FROM with known variable", "ARG V=b\nFROM alpine AS base-a\nFROM alpine AS base-b\nFROM alpine AS c\nFROM base-$V\n", "base-a base-b 3"},
		{"FROM image variable", "ARG IMG=alpine:3.20\nFROM alpine AS a\nFROM ${IMG}\n", "1"},
	}
	for _, tt := range tests {
		m := Parse(tt.src).Semantics()
		need := m.Needs(m.Final())
		var got []string
		for i, ok := range need {
			if !ok {
				continue
			}
			if n := m.Stages[i].Name; n != "" {
				got = append(got, n)
			} else {
				got = append(got, strconv.Itoa(i))
			}
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("%s: needs %q, want %q", tt.name, g, tt.want)
		}
	}
	if m := Parse("ARG A=1\n").Semantics(); m.Final() != nil || len(m.Needs(nil)) != 0 {
		t.Error("a file without stages has a final stage")
	}
}

func TestNeedsPlatformArgs(t *testing.T) {
	for _, src := range []string{
		"FROM alpine AS bin-linux\nFROM alpine AS bin-windows\nFROM alpine AS other\nFROM bin-$TARGETOS\n",
	} {
		m := Parse(src).Semantics()
		need := m.Needs(m.Final())
		if !need[0] || !need[1] || need[2] {
			t.Errorf("needs %v for\n%s", need, src)
		}
	}
}

// TestNeedsDerivedPlatformArg checks a global ARG whose default depends on
// the platform (BuildKit's own hack/dockerfiles/archutil.Dockerfile).
func TestNeedsDerivedPlatformArg(t *testing.T) {
	m := Parse(`ARG BUILD_LOONG64=${TARGETPLATFORM#linux/amd64}
ARG BUILD_LOONG64=${BUILD_LOONG64:+"unsupported"}
ARG BUILD_LOONG64=${BUILD_LOONG64:-"supported"}
FROM scratch AS exit-loong64-unsupported
FROM scratch AS exit-loong64-supported
FROM scratch AS other
FROM exit-loong64-${BUILD_LOONG64}
`).Semantics()
	need := m.Needs(m.Final())
	if !need[0] || !need[1] || need[2] {
		t.Errorf("needs %v", need)
	}
}

// TestNeedsArgSelectedStage checks stages chosen by an ARG's default
// (grafana's `FROM ${GO_SRC} AS go-src`): any stage may be chosen.
func TestNeedsArgSelectedStage(t *testing.T) {
	m := Parse(`ARG BASE_IMAGE=alpine:3.21
ARG GO_SRC=go-builder
FROM golang:1.24 AS go-builder
FROM ${BASE_IMAGE} AS tgz-builder
FROM ${GO_SRC} AS go-src
FROM ${BASE_IMAGE} AS unused
FROM ${BASE_IMAGE}
COPY --from=go-src /bin /bin
`).Semantics()
	need := m.Needs(m.Final())
	want := []bool{true, true, true, false, true}
	for i := range want {
		if need[i] != want[i] {
			t.Errorf("needs %v, want %v", need, want)
			break
		}
	}
}
