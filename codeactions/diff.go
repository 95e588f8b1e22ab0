// This file defines Diff, which turns two versions of a text into the
// line edits that lead from one to the other (Myers' algorithm), so that a
// merged fix is sent as small edits rather than a whole new text, and the
// CLI can print a unified diff.
package codeactions

import "strings"

// maxDiffCost bounds the work of Diff (edit-graph steps); past it the
// differing middle is replaced as one edit.
const maxDiffCost = 4 << 20

// Diff returns edits that turn old into new, each replacing whole lines
// (terminators included), in order and not overlapping.
func Diff(old, new string) []Edit {
	if old == new {
		return nil
	}
	a, b := splitLines(old), splitLines(new)
	// Common prefix and suffix lines.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	offA := 0
	for _, l := range a[:pre] {
		offA += len(l)
	}
	ops := lcsOps(a[pre:len(a)-suf], b[pre:len(b)-suf])
	var out []Edit
	// Walk the script, grouping runs of deletions and insertions.
	i, j := pre, pre
	pos := offA
	var cur *Edit
	flush := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
	}
	for _, op := range ops {
		switch op {
		case opEqual:
			flush()
			pos += len(a[i])
			i++
			j++
		case opDelete:
			if cur == nil {
				cur = &Edit{Start: pos, End: pos}
			}
			cur.End += len(a[i])
			pos += len(a[i])
			i++
		case opInsert:
			if cur == nil {
				cur = &Edit{Start: pos, End: pos}
			}
			cur.NewText += b[j]
			j++
		}
	}
	flush()
	return out
}

// splitLines splits s after each "\n"; the last line may lack one.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

type diffOp uint8

const (
	opEqual diffOp = iota
	opDelete
	opInsert
)

// lcsOps returns an edit script turning a into b: Myers' greedy O(ND)
// algorithm, keeping of each round only the diagonals it reached (O(D²)
// memory), or delete-all-then-insert-all past maxDiffCost.
func lcsOps(a, b []string) []diffOp {
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		return replaceAll(n, m)
	}
	limit := n + m
	v := make([]int, 2*limit+3) // v[limit+1+k] is the furthest x on diagonal k
	at := func(k int) int { return v[limit+1+k] }
	var trace [][]int // trace[d][d+k] = v[k] at the start of round d, for k in [-d, d]
	cost := 0
	found := false
	for d := 0; d <= limit && !found; d++ {
		snap := make([]int, 2*d+1)
		copy(snap, v[limit+1-d:limit+1+d+1])
		trace = append(trace, snap)
		if cost += len(snap); cost > maxDiffCost { // work and memory so far
			return replaceAll(n, m)
		}
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || k != d && at(k-1) < at(k+1) {
				x = at(k + 1)
			} else {
				x = at(k-1) + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
				cost++
			}
			cost++
			v[limit+1+k] = x
			if x >= n && y >= m {
				found = true
				break
			}
		}
	}
	// Backtrack from (n, m) through the rounds.
	var ops []diffOp
	x, y := n, m
	for d := len(trace) - 1; d > 0; d-- {
		snap := trace[d]
		get := func(k int) int { return snap[d+k] }
		k := x - y
		prevK := k - 1
		if k == -d || k != d && get(k-1) < get(k+1) {
			prevK = k + 1
		}
		prevX := get(prevK)
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			ops = append(ops, opEqual)
			x--
			y--
		}
		if x == prevX {
			ops = append(ops, opInsert)
			y--
		} else {
			ops = append(ops, opDelete)
			x--
		}
	}
	for x > 0 && y > 0 {
		ops = append(ops, opEqual)
		x--
		y--
	}
	for i, j := 0, len(ops)-1; i < j; i, j = i+1, j-1 {
		ops[i], ops[j] = ops[j], ops[i]
	}
	return ops
}

func replaceAll(n, m int) []diffOp {
	ops := make([]diffOp, 0, n+m)
	for range n {
		ops = append(ops, opDelete)
	}
	for range m {
		ops = append(ops, opInsert)
	}
	return ops
}
