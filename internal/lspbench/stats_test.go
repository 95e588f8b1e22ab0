// This file tests the statistics, the edit target and the /proc parsers.
package main

import (
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	e := edits{SamplesMS: []float64{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}}
	summarize(&e)
	if *e.MinMS != 1 || *e.MaxMS != 10 || *e.MedianMS != 5.5 || *e.P90MS != 9 {
		t.Fatalf("min %v median %v p90 %v max %v, want 1 5.5 9 10", *e.MinMS, *e.MedianMS, *e.P90MS, *e.MaxMS)
	}
	one := edits{SamplesMS: []float64{4}}
	summarize(&one)
	if *one.MedianMS != 4 || *one.P90MS != 4 {
		t.Fatalf("one sample: median %v p90 %v", *one.MedianMS, *one.P90MS)
	}
	var none edits
	summarize(&none)
	if none.MedianMS != nil {
		t.Fatal("no samples gave a median")
	}
}

func TestEditTarget(t *testing.T) {
	text := "FROM a\nENV STEP_1=1\nRUN x \\\n  y\nENV STEP_2=😀\nENV STEP_3=3\nCMD z\n"
	tg := chooseTarget(text)
	// 7 lines, the middle one is line 3 ("  y"); the nearest ENV STEP_ line is
	// line 4 (distance 1), not line 1 (distance 2). Its emoji is two UTF-16
	// code units.
	if tg.Line != 4 || tg.Text != "ENV STEP_2=😀" || tg.EndUTF16 != 13 {
		t.Fatalf("target = %+v, want line 4 \"ENV STEP_2=😀\" ending at UTF-16 column 13", tg)
	}
	for i, want := range []string{"ENV STEP_2=😀x\n", "ENV STEP_2=😀\n"} {
		change, after := tg.edit(text, i, false)
		if !strings.Contains(after, want) || len(after) != len(text)+1-i {
			t.Fatalf("edit %d: text after does not hold %q", i, want)
		}
		if change.Range == nil || change.Range.Start.Line != 4 || change.Range.Start.Character != 13 ||
			change.Range.End.Character != 13+i {
			t.Fatalf("edit %d: range %+v", i, change.Range)
		}
		full, _ := tg.edit(text, i, true)
		if full.Range != nil || full.Text != after {
			t.Fatalf("edit %d as full change: %+v", i, full)
		}
	}
	// Without ENV lines, a line that does not continue is chosen.
	if got := chooseTarget("RUN a \\\n  b \\\n  c\n").Line; got != 2 {
		t.Fatalf("fallback target line = %d, want 2", got)
	}
	if got := chooseTarget(""); got.Line != 0 || got.EndByte != 0 {
		t.Fatalf("empty text target = %+v", got)
	}
}

func TestParseProc(t *testing.T) {
	if ppid, ok := parsePPID("1234 (node (x) y) S 77 1234 1234 0 -1"); !ok || ppid != 77 {
		t.Fatalf("parsePPID = %d, %v; want 77", ppid, ok)
	}
	if _, ok := parsePPID("garbage"); ok {
		t.Fatal("parsePPID accepted garbage")
	}
	status := "Name:\tnode\nVmPeak:\t  999 kB\nVmHWM:\t   2048 kB\nVmRSS:\t   1024 kB\n"
	rss, hwm, err := parseStatus(strings.NewReader(status))
	if err != nil || rss != 1024 || hwm != 2048 {
		t.Fatalf("parseStatus = %d, %d, %v; want 1024, 2048", rss, hwm, err)
	}
	if _, _, err := parseStatus(strings.NewReader("Name:\tzombie\n")); err == nil {
		t.Fatal("status without VmRSS gave no error")
	}
}
