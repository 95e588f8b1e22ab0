// This file defines BuildContext: the directory a Dockerfile is built from,
// which files it holds and what its .dockerignore excludes.
package analysis

// BuildContext describes the build context of a Dockerfile.
type BuildContext struct {
	// Dir is the context directory ("" when unknown).
	Dir string
}
