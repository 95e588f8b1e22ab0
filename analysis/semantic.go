// This file defines the semantic model of a File: stages, the stage graph,
// ARG/ENV scopes, USER and WORKDIR per stage. It is computed lazily, once per
// File.
package analysis

import "sync"

type semOnce struct {
	once sync.Once
}
