package server

import (
	"runtime/debug"
	"sync"
	"testing"
)

// Concurrent first analyses pause collection together and leave the
// setting as they found it, whatever order they finish in.
func TestGCPauseRestores(t *testing.T) {
	before := debug.SetGCPercent(77)
	defer debug.SetGCPercent(before)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Go(func() {
			gcPause()
			gcResume()
		})
	}
	wg.Wait()
	if got := debug.SetGCPercent(77); got != 77 {
		t.Errorf("GC percent %d after concurrent pauses, want 77", got)
	}
}
