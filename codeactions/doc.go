// Package codeactions will hold the rewrites larger than one diagnostic's fix
// (split into builder and runtime stages, reorder manifests, add a non-root
// USER, cache mounts, .dockerignore). It is empty until that work lands; the
// package exists so the layout of the design card is visible from the start.
package codeactions
