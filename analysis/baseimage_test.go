// This file tests what dockwise knows about base images: family, variant
// and knowledge read from real references, and how stages inherit it.
package analysis

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// imageSummary renders the facts of a BaseImage compactly, leaving out what is
// unknown: `family/variant v=.. d=.. sh=yes|no user=name:uid libc=..
// [debug] [nonroot] [dev] [win] [tc] small=a,b rt=..`.
func imageSummary(b BaseImage) string {
	if !b.Known() {
		if b.Windows {
			return "? win"
		}
		return "?"
	}
	var out []string
	fv := string(b.Family)
	if b.Variant != "" {
		fv += "/" + b.Variant
	}
	out = append(out, fv)
	if b.Version != "" {
		out = append(out, "v="+b.Version)
	}
	if b.Distro != "" {
		out = append(out, "d="+b.Distro)
	}
	switch b.Shell {
	case FactYes:
		out = append(out, "sh=yes")
	case FactNo:
		out = append(out, "sh=no")
	}
	if b.User != "" || b.UID >= 0 {
		out = append(out, fmt.Sprintf("user=%s:%d", b.User, b.UID))
	}
	if b.Libc != LibcUnknown {
		out = append(out, "libc="+string(b.Libc))
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{b.Debug, "debug"}, {b.NonRoot, "nonroot"}, {b.Dev, "dev"}, {b.Windows, "win"}, {b.Toolchain, "tc"}} {
		if f.on {
			out = append(out, f.name)
		}
	}
	if len(b.Smaller) > 0 {
		out = append(out, "small="+strings.Join(b.Smaller, ","))
	}
	if b.Runtime != "" {
		out = append(out, "rt="+b.Runtime)
	}
	return strings.Join(out, " ")
}

func TestParseBaseImage(t *testing.T) {
	tests := []struct{ ref, want string }{
		// Official images, with and without registry.
		{"node:20", "node/full v=20 sh=yes user=root:0 libc=glibc tc small=node:20-slim,node:20-alpine rt=node:20-slim"},
		{"docker.io/library/node:20", "node/full v=20 sh=yes user=root:0 libc=glibc tc small=docker.io/library/node:20-slim,docker.io/library/node:20-alpine rt=docker.io/library/node:20-slim"},
		{"node:20-bookworm", "node/full v=20 d=bookworm sh=yes user=root:0 libc=glibc tc small=node:20-bookworm-slim,node:20-alpine rt=node:20-bookworm-slim"},
		{"node:lts", "node/full sh=yes user=root:0 libc=glibc tc small=node:lts-slim,node:lts-alpine rt=node:lts-slim"},
		{"node", "node/full sh=yes user=root:0 libc=glibc tc small=node:slim,node:alpine rt=node:slim"},
		{"node:bookworm", "node/full d=bookworm sh=yes user=root:0 libc=glibc tc small=node:bookworm-slim,node:alpine rt=node:bookworm-slim"},
		{"node:20-slim", "node/slim v=20 sh=yes user=root:0 libc=glibc"},
		{"docker.io/node:26.5-bookworm-slim", "node/slim v=26.5 d=bookworm sh=yes user=root:0 libc=glibc"},
		{"node:20-alpine3.19", "node/alpine v=20 d=alpine3.19 sh=yes user=root:0 libc=musl"},
		{"node:14.17.3-alpine3.14", "node/alpine v=14.17.3 d=alpine3.14 sh=yes user=root:0 libc=musl"},
		{"node@sha256:" + strings.Repeat("a", 64), "node sh=yes user=root:0"},
		{"public.ecr.aws/docker/library/node:20", "node/full v=20 sh=yes user=root:0 libc=glibc tc small=public.ecr.aws/docker/library/node:20-slim,public.ecr.aws/docker/library/node:20-alpine rt=public.ecr.aws/docker/library/node:20-slim"},
		{"python:3.12", "python/full v=3.12 sh=yes user=root:0 libc=glibc tc small=python:3.12-slim rt=python:3.12-slim"},
		{"python:3.12-bookworm", "python/full v=3.12 d=bookworm sh=yes user=root:0 libc=glibc tc small=python:3.12-slim-bookworm rt=python:3.12-slim-bookworm"},
		{"python:3.12-slim-bookworm", "python/slim v=3.12 d=bookworm sh=yes user=root:0 libc=glibc"},
		{"python:3.13.6-slim-bullseye@sha256:e98b521460ee75bca92175c16247bdf7275637a8faaeb2bcfa19d879ae5c4b9a", "python/slim v=3.13.6 d=bullseye sh=yes user=root:0 libc=glibc"},
		{"python:3-alpine", "python/alpine v=3 d=alpine sh=yes user=root:0 libc=musl"},
		{"python:latest", "python/full sh=yes user=root:0 libc=glibc tc small=python:slim rt=python:slim"},
		{"python:2.7.14-windowsservercore", "python v=2.7.14 win"},
		{"ruby:3.3", "ruby/full v=3.3 sh=yes user=root:0 libc=glibc tc small=ruby:3.3-slim rt=ruby:3.3-slim"},
		{"ruby:alpine", "ruby/alpine d=alpine sh=yes user=root:0 libc=musl"},
		{"golang:1.22", "golang/full v=1.22 sh=yes user=root:0 libc=glibc tc rt=gcr.io/distroless/static-debian12"},
		{"golang:1.26-alpine3.23", "golang/alpine v=1.26 d=alpine3.23 sh=yes user=root:0 libc=musl tc rt=gcr.io/distroless/static-debian12"},
		{"golang:1.26-windowsservercore-ltsc2022", "golang v=1.26 win tc"},
		{"rust:1.75-slim", "rust/slim v=1.75 sh=yes user=root:0 libc=glibc tc rt=gcr.io/distroless/cc-debian12"},
		{"rust:1.75-alpine", "rust/alpine v=1.75 d=alpine sh=yes user=root:0 libc=musl tc rt=alpine"},
		{"gcc:13", "gcc/full v=13 sh=yes user=root:0 libc=glibc tc rt=debian:bookworm-slim"},
		{"buildpack-deps:bookworm", "buildpack-deps/full d=bookworm sh=yes user=root:0 libc=glibc tc rt=debian:bookworm-slim"},
		{"buildpack-deps:bookworm-scm", "buildpack-deps/scm d=bookworm sh=yes user=root:0 libc=glibc"},
		// Java.
		{"eclipse-temurin:21-jdk", "eclipse-temurin/jdk v=21 sh=yes user=root:0 libc=glibc tc small=eclipse-temurin:21-jre rt=eclipse-temurin:21-jre"},
		{"eclipse-temurin:21", "eclipse-temurin/jdk v=21 sh=yes user=root:0 libc=glibc tc small=eclipse-temurin:21-jre rt=eclipse-temurin:21-jre"},
		{"eclipse-temurin:21-jdk-jammy", "eclipse-temurin/jdk v=21 d=jammy sh=yes user=root:0 libc=glibc tc small=eclipse-temurin:21-jre-jammy rt=eclipse-temurin:21-jre-jammy"},
		{"eclipse-temurin:21-jdk-alpine", "eclipse-temurin/jdk v=21 d=alpine sh=yes user=root:0 libc=musl tc small=eclipse-temurin:21-jre-alpine rt=eclipse-temurin:21-jre-alpine"},
		{"eclipse-temurin:17-jre-focal", "eclipse-temurin/jre v=17 d=focal sh=yes user=root:0 libc=glibc"},
		{"openjdk:17", "openjdk/jdk v=17 sh=yes user=root:0 libc=glibc tc small=eclipse-temurin:17-jre rt=eclipse-temurin:17-jre"},
		{"openjdk:17-jdk-slim", "openjdk/jdk v=17 sh=yes user=root:0 libc=glibc tc small=eclipse-temurin:17-jre rt=eclipse-temurin:17-jre"},
		{"docker.io/library/openjdk:8-alpine", "openjdk/jdk v=8 d=alpine sh=yes user=root:0 libc=musl tc small=docker.io/library/eclipse-temurin:8-jre-alpine rt=docker.io/library/eclipse-temurin:8-jre-alpine"},
		{"openjdk:8-jre-alpine", "openjdk/jre v=8 d=alpine sh=yes user=root:0 libc=musl"},
		{"amazoncorretto:21", "amazoncorretto/jdk v=21 sh=yes user=root:0 libc=glibc tc"},
		{"maven:3.8.5-eclipse-temurin-17", "maven/jdk v=3.8.5 sh=yes user=root:0 libc=glibc tc small=eclipse-temurin:17-jre rt=eclipse-temurin:17-jre"},
		{"maven:3.9-eclipse-temurin-21-alpine", "maven/jdk v=3.9 d=alpine sh=yes user=root:0 libc=musl tc small=eclipse-temurin:21-jre-alpine rt=eclipse-temurin:21-jre-alpine"},
		{"maven:3.9-amazoncorretto-21", "maven/jdk v=3.9 sh=yes user=root:0 libc=glibc tc"},
		{"gradle:8.5-jdk21", "gradle/jdk v=8.5 sh=yes user=root:0 libc=glibc tc small=eclipse-temurin:21-jre rt=eclipse-temurin:21-jre"},
		{"gradle:jdk17-alpine", "gradle/jdk d=alpine sh=yes user=root:0 libc=musl tc small=eclipse-temurin:17-jre-alpine rt=eclipse-temurin:17-jre-alpine"},
		// .NET.
		{"mcr.microsoft.com/dotnet/sdk:8.0", "dotnet/sdk v=8.0 sh=yes user=root:0 libc=glibc tc rt=mcr.microsoft.com/dotnet/aspnet:8.0"},
		{"mcr.microsoft.com/dotnet/sdk:10.0.400-alpine3.23-amd64", "dotnet/sdk v=10.0.400 d=alpine3.23 sh=yes user=root:0 libc=musl tc rt=mcr.microsoft.com/dotnet/aspnet:10.0-alpine"},
		{"mcr.microsoft.com/dotnet/core/sdk:3.1", "dotnet/sdk v=3.1 sh=yes user=root:0 libc=glibc tc rt=mcr.microsoft.com/dotnet/core/aspnet:3.1"},
		{"mcr.microsoft.com/dotnet/aspnet:8.0", "dotnet/aspnet v=8.0 sh=yes user=root:0 libc=glibc"},
		{"mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled", "dotnet/runtime-deps v=10.0 d=noble sh=no user=app:1654 libc=glibc"},
		{"mcr.microsoft.com/dotnet/aspnet:8.0.30-azurelinux3.0-distroless-extra-amd64", "dotnet/aspnet v=8.0.30 sh=no user=app:1654 libc=glibc"},
		{"mcr.microsoft.com/dotnet/sdk:10.0-nanoserver-ltsc2022", "dotnet/sdk v=10.0 win tc"},
		{"mcr.microsoft.com/dotnet/framework/sdk:4.8", "?"},
		// Web servers.
		{"nginx:1.27.4", "nginx/full v=1.27.4 sh=yes user=root:0 libc=glibc small=nginx:1.27.4-alpine"},
		{"nginx:1.25-perl", "nginx/full v=1.25 sh=yes user=root:0 libc=glibc small=nginx:1.25-alpine-perl"},
		{"nginx:stable", "nginx/full sh=yes user=root:0 libc=glibc small=nginx:stable-alpine"},
		{"nginx", "nginx/full sh=yes user=root:0 libc=glibc small=nginx:alpine"},
		{"nginx:1.27.4-alpine-slim", "nginx/alpine v=1.27.4 d=alpine sh=yes user=root:0 libc=musl"},
		{"docker.io/nginx:1.31.3-alpine", "nginx/alpine v=1.31.3 d=alpine sh=yes user=root:0 libc=musl"},
		{"nginxinc/nginx-unprivileged:1.27-alpine", "nginx/unprivileged v=1.27 d=alpine sh=yes user=nginx:101 libc=musl"},
		{"httpd:2.4", "httpd/full v=2.4 sh=yes user=root:0 libc=glibc small=httpd:2.4-alpine"},
		{"php:8.3", "php/full v=8.3 sh=yes user=root:0 libc=glibc small=php:8.3-alpine"},
		{"php:8.3-fpm-bookworm", "php/full v=8.3 d=bookworm sh=yes user=root:0 libc=glibc small=php:8.3-fpm-alpine"},
		{"php:8.0.9-apache", "php/full v=8.0.9 sh=yes user=root:0 libc=glibc"},
		{"php:8.3-fpm-alpine", "php/alpine v=8.3 d=alpine sh=yes user=root:0 libc=musl"},
		// Distributions.
		{"debian:bookworm", "debian/full d=bookworm sh=yes user=root:0 libc=glibc small=debian:bookworm-slim"},
		{"debian:12", "debian/full v=12 sh=yes user=root:0 libc=glibc small=debian:12-slim"},
		{"debian", "debian/full sh=yes user=root:0 libc=glibc small=debian:stable-slim"},
		{"debian:bookworm-slim", "debian/slim d=bookworm sh=yes user=root:0 libc=glibc"},
		{"debian:bookworm-backports", "debian/full d=bookworm sh=yes user=root:0 libc=glibc"},
		{"ubuntu:22.04", "ubuntu v=22.04 sh=yes user=root:0 libc=glibc"},
		{"ubuntu:jammy", "ubuntu d=jammy sh=yes user=root:0 libc=glibc"},
		{"alpine:3.20", "alpine v=3.20 d=alpine sh=yes user=root:0 libc=musl"},
		{"amd64/alpine:3.23", "alpine v=3.23 d=alpine sh=yes user=root:0 libc=musl"},
		{"busybox", "busybox sh=yes user=root:0"},
		{"busybox:musl", "busybox sh=yes user=root:0 libc=musl"},
		{"registry.access.redhat.com/ubi9/ubi-minimal:9.7", "ubi/ubi-minimal sh=yes user=root:0 libc=glibc"},
		{"registry.access.redhat.com/ubi9/openjdk-21-runtime:1.24", "ubi/jre sh=yes user=jboss:185 libc=glibc"},
		{"registry.access.redhat.com/ubi9/openjdk-21:1.24", "ubi/jdk sh=yes user=jboss:185 libc=glibc tc small=registry.access.redhat.com/ubi9/openjdk-21-runtime rt=registry.access.redhat.com/ubi9/openjdk-21-runtime"},
		// Shell-less images.
		{"scratch", "scratch sh=no user=root:0 libc=none"},
		{"gcr.io/distroless/static-debian12:nonroot", "distroless/static d=debian12 sh=no user=nonroot:65532 libc=none nonroot"},
		{"gcr.io/distroless/static-debian13:nonroot-amd64", "distroless/static d=debian13 sh=no user=nonroot:65532 libc=none nonroot"},
		{"gcr.io/distroless/static", "distroless/static sh=no user=root:0 libc=none"},
		{"gcr.io/distroless/base-debian12:debug", "distroless/base d=debian12 sh=yes user=root:0 libc=glibc debug"},
		{"gcr.io/distroless/base-debian12:debug-nonroot", "distroless/base d=debian12 sh=yes user=nonroot:65532 libc=glibc debug nonroot"},
		{"gcr.io/distroless/cc-debian12", "distroless/cc d=debian12 sh=no user=root:0 libc=glibc"},
		{"gcr.io/distroless/java21-debian12:nonroot", "distroless/java v=21 d=debian12 sh=no user=nonroot:65532 libc=glibc nonroot"},
		{"gcr.io/distroless/python3-debian12", "distroless/python3 d=debian12 sh=no user=root:0 libc=glibc"},
		{"gcr.io/distroless/nodejs20-debian12", "distroless/nodejs v=20 d=debian12 sh=no user=root:0 libc=glibc"},
		{"gcr.io/distroless/static@sha256:" + strings.Repeat("b", 64), "distroless/static libc=none"},
		{"cgr.dev/chainguard/static:latest", "chainguard/static sh=no user=nonroot:65532 libc=none"},
		{"cgr.dev/chainguard/node:latest", "chainguard/node sh=no user=nonroot:65532 libc=glibc"},
		{"cgr.dev/chainguard/python:latest-dev", "chainguard/python sh=yes libc=glibc dev"},
		{"cgr.dev/chainguard/go:latest", "chainguard/go sh=no user=nonroot:65532 libc=glibc tc"},
		{"cgr.dev/chainguard/wolfi-base", "chainguard/wolfi-base sh=yes user=root:0 libc=glibc"},
		// Windows and unknown images.
		{"mcr.microsoft.com/windows/servercore:ltsc2022", "windows win"},
		{"stefanscherer/node-windows:6.9.4-nano-onbuild", "? win"},
		{"ghcr.io/astral-sh/uv:python3.14-bookworm-slim", "?"},
		{"tonistiigi/xx:1.6.1", "?"},
		{"myorg/node:20", "?"},
		{"not a reference", "?"},
	}
	for _, tt := range tests {
		if got := imageSummary(ParseBaseImage(tt.ref)); got != tt.want {
			t.Errorf("ParseBaseImage(%q):\n got %s\nwant %s", tt.ref, got, tt.want)
		}
	}
}

func TestStageImage(t *testing.T) {
	f := Parse(`ARG NODE=20
ARG DISTROLESS_ARCH
ARG GO_VERSION
FROM node:${NODE} AS deps
FROM deps AS build
FROM build
FROM golang:${GO_VERSION}-alpine AS gobuild
FROM gcr.io/distroless/static-debian12:nonroot-${DISTROLESS_ARCH} AS run
FROM ${UNDEFINED_IMAGE} AS unknown
FROM node:${GO_VERSION} AS ambiguous
FROM scratch AS empty
FROM empty
`)
	st := f.Semantics().Stages
	want := []string{
		"node/full v=20 sh=yes user=root:0 libc=glibc tc small=node:20-slim,node:20-alpine rt=node:20-slim",
		"node/full v=20 sh=yes user=root:0 libc=glibc tc small=node:20-slim,node:20-alpine rt=node:20-slim",
		"node/full v=20 sh=yes user=root:0 libc=glibc tc small=node:20-slim,node:20-alpine rt=node:20-slim",
		"golang/alpine d=alpine sh=yes user=root:0 libc=musl tc rt=gcr.io/distroless/static-debian12",
		"distroless/static d=debian12 sh=no user=nonroot:65532 libc=none nonroot",
		"?",
		"node sh=yes user=root:0",
		"scratch sh=no user=root:0 libc=none",
		"scratch sh=no user=root:0 libc=none",
	}
	if len(st) != len(want) {
		t.Fatalf("%d stages", len(st))
	}
	for i, s := range st {
		im := s.Image()
		if got := imageSummary(im); got != want[i] {
			t.Errorf("stage %d (%s): got %s\nwant %s", i, s.From.Source(), got, want[i])
		}
	}
	if got := st[3].Image().Ref; got != "golang:${GO_VERSION}-alpine" {
		t.Errorf("partly unknown reference is shown as %q", got)
	}
	if st[2].Root() != st[0] || len(st[2].Chain()) != 3 || st[2].Chain()[1] != st[1] {
		t.Errorf("chain of the third stage is wrong")
	}
}

// TestStageImageAfterEdit checks that editing the base of a stage changes
// its image even when the stage's body is unchanged.
func TestStageImageAfterEdit(t *testing.T) {
	f := Parse("FROM node:20 AS a\nRUN true\nFROM a\n")
	if v := f.Semantics().Stages[1].Image().Variant; v != VariantFull {
		t.Fatalf("variant %q", v)
	}
	off := strings.Index(f.Text, "20") + 2
	f, _ = f.Edit(off, off, "-alpine")
	if v := f.Semantics().Stages[1].Image().Variant; v != VariantAlpine {
		t.Errorf("after the edit, variant %q", v)
	}
}

func TestIsRootUser(t *testing.T) {
	for user, want := range map[string]bool{"root": true, "0": true, "0:0": true, "root:root": true, " root ": true,
		"node": false, "1000": false, "1000:0": false, "nonroot": false, "": false, "rooty": false, "10": false} {
		if got := IsRootUser(user); got != want {
			t.Errorf("IsRootUser(%q) = %v", user, got)
		}
	}
}

// TestBaseImageCorpus reads every base image of the real-world corpus: no
// panic, and every official image the corpus uses is recognized.
func TestBaseImageCorpus(t *testing.T) {
	paths, _ := filepath.Glob("../../shared/corpus/real/*")
	if len(paths) == 0 {
		t.Skip("no corpus")
	}
	known, total := 0, 0
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range Parse(string(data)).Semantics().Stages {
			if s.Parent != nil {
				continue
			}
			im := s.Image()
			total++
			if im.Known() {
				known++
			}
			switch name := officialName(s.Base); name {
			case "node", "python", "golang", "alpine", "debian", "ubuntu", "nginx", "php", "ruby", "rust", "busybox", "maven", "eclipse-temurin", "openjdk":
				if !im.Known() {
					t.Errorf("%s: official image %s not recognized", filepath.Base(p), s.BaseValue.S)
				}
			}
		}
	}
	t.Logf("%d of %d base images recognized", known, total)
}

// FuzzParseBaseImage checks that any reference is read without a panic and
// that the smaller variants it suggests are valid references.
func FuzzParseBaseImage(f *testing.F) {
	for _, s := range []string{"node:20", "gcr.io/distroless/static-debian12:nonroot", "mcr.microsoft.com/dotnet/sdk:8.0-alpine",
		"openjdk:17-jdk-slim", "localhost:5000/library/python:3.12-bookworm", "debian", "php:8.3-fpm", "golang:\x00-alpine"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		b := parseBaseImagePattern(ref)
		if strings.ContainsRune(ref, unknownMark) {
			return
		}
		for _, s := range append(b.Smaller, b.Runtime) {
			if s == "" || s == "alpine" {
				continue
			}
			if _, err := ParseImageRef(s); err != nil {
				t.Errorf("%q suggests %q: %v", ref, s, err)
			}
		}
	})
}
