package rules

import (
	"strings"
	"testing"

	"github.com/dockwise/dockwise/analysis"
)

// MissingCacheMount's advice must be enough on its own: on Debian-based
// images, whose docker-clean empties the apt cache, it also says to delete
// docker-clean, unless the Dockerfile already does. Go's build cache holds
// compiler output, not downloads, and the message says so.
func TestMissingCacheMountAdvice(t *testing.T) {
	tests := []struct {
		name, dockerfile string
		want, notWant    string
	}{
		{"debian", "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\n", "docker-clean", ""},
		{"ubuntu removed before", "FROM ubuntu:24.04\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN apt-get update && apt-get install -y curl\n", "downloads again", "docker-clean"},
		{"parent removed it", "FROM debian:bookworm AS base\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\nFROM base\nRUN apt-get update && apt-get install -y curl\n", "downloads again", "docker-clean"},
		{"go build cache only", "FROM golang:1.23\nRUN --mount=type=cache,target=/go/pkg/mod go build ./...\n", "compiles again", "downloads"},
		// A cache mount belongs to root: a non-root user needs its ids.
		{"numeric user", "FROM python:3.12-slim\nUSER 1000:1000\nRUN pip install -r requirements.txt\n", "target=<home>/.cache/pip,uid=1000,gid=1000`", "uid= and gid= of"},
		{"node user", "FROM node:20-slim\nUSER node\nRUN npm ci\n", "target=/home/node/.npm,uid=1000,gid=1000`", ""},
		{"user and its group", "FROM node:20-slim\nUSER node:node\nRUN npm ci\n", "target=/home/node/.npm,uid=1000,gid=1000`", ""},
		{"www-data on debian", "FROM php:8.3-apache\nUSER www-data\nRUN composer install\n", "uid=33,gid=33`", ""},
		{"www-data on alpine", "FROM php:8.3-fpm-alpine\nUSER www-data\nRUN composer install\n", "uid=82,gid=82`", ""},
		{"unknown user", "FROM python:3.12-slim\nRUN useradd -m app\nUSER app\nRUN pip install -r requirements.txt\n", "to the RUN with the uid= and gid= of app", ",uid="},
		// What in the RUN would empty the new mounts is named.
		{"apt with cleanups", "FROM debian:bookworm\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN apt-get update && apt-get install -y curl && apt-get clean && rm -rf /var/lib/apt/lists/*\n", "and drop `apt-get clean` and the deletion of /var/lib/apt/lists/* from it, which would empty the mounts", ""},
		{"pip without cleanup", "FROM python:3.12-slim\nRUN pip install -r requirements.txt && rm -rf /tmp/build\n", "to the RUN", "drop"},
		// apk keeps packages only where /etc/apk/cache links.
		{"apk", "FROM alpine:3.20\nRUN apk add curl\n", "start it with `ln -sf /var/cache/apk /etc/apk/cache &&`", ""},
		{"apk linked in parent", "FROM alpine:3.20 AS base\nRUN ln -s /var/cache/apk /etc/apk/cache\nFROM base\nRUN apk add curl\n", "target=/var/cache/apk` to the RUN", "ln -sf"},
		{"apk linked in the RUN", "FROM alpine:3.20\nRUN ln -s /var/cache/apk /etc/apk/cache && apk add curl\n", "target=/var/cache/apk` to the RUN", "ln -sf"},
		{"root user", "FROM python:3.12-slim\nUSER root\nRUN pip install -r requirements.txt\n", "target=/root/.cache/pip` to the RUN", "uid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := analysis.Parse(tt.dockerfile)
			var msgs []string
			for _, d := range analysis.Check(f, []*analysis.Rule{MissingCacheMount}, analysis.Options{}) {
				if d.Rule == MissingCacheMount.Name {
					msgs = append(msgs, d.Message)
				}
			}
			if len(msgs) != 1 {
				t.Fatalf("got %d findings: %q", len(msgs), msgs)
			}
			if !strings.Contains(msgs[0], tt.want) || tt.notWant != "" && strings.Contains(msgs[0], tt.notWant) {
				t.Errorf("message %q: want %q, not %q", msgs[0], tt.want, tt.notWant)
			}
		})
	}
}

// The docker-clean note is cached with the stage (so are its base image and
// its parents' RUNs): edits to what it depends on, the stage's FROM, the
// global ARG its base comes from and a parent stage's RUN, must change it.
func TestMissingCacheMountNoteFollowsEdits(t *testing.T) {
	hasNote := func(f *analysis.File) bool {
		for _, d := range analysis.Check(f, []*analysis.Rule{MissingCacheMount}, analysis.Options{}) {
			if strings.Contains(d.Message, "docker-clean") {
				return true
			}
		}
		return false
	}
	apt := "RUN apt-get update && apt-get install -y curl\n"
	tests := []struct {
		name, dockerfile, old, new string
	}{
		{"FROM", "FROM debian:bookworm\n" + apt, "debian:bookworm", "myimage"},
		{"global ARG", "ARG B=debian:bookworm\nFROM $B\n" + apt, "debian:bookworm", "myimage"},
		{"parent's FROM", "FROM debian:bookworm AS a\nFROM a\n" + apt, "debian:bookworm", "myimage"},
		{"parent's RUN", "FROM debian:bookworm AS a\nRUN true\nFROM a\n" + apt, "RUN true", "RUN rm -f /etc/apt/apt.conf.d/docker-clean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := analysis.Parse(tt.dockerfile)
			if !hasNote(f) {
				t.Fatalf("no docker-clean note on %q", f.Text)
			}
			i := strings.Index(tt.dockerfile, tt.old)
			f, _ = f.Edit(i, i+len(tt.old), tt.new)
			if hasNote(f) {
				t.Errorf("note kept after the edit: %q", f.Text)
			}
			f, _ = f.Edit(i, i+len(tt.new), tt.old)
			if !hasNote(f) {
				t.Errorf("note lost after undoing the edit: %q", f.Text)
			}
		})
	}
}
