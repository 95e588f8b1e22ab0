// This file defines how lspbench measures the server's memory: VmRSS and
// VmHWM from /proc/<pid>/status, summed over the process and its descendants.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// memory is a resident-memory sample in KiB.
type memory struct {
	RSSKiB    int64 `json:"rss_kib"`
	HWMKiB    int64 `json:"hwm_kib"` // peak RSS; summed over processes, so an upper bound when there are several
	Processes int   `json:"processes"`
}

// sampleMemory sums VmRSS and VmHWM over pid and all its descendants.
func sampleMemory(pid int) (memory, error) {
	var m memory
	for _, p := range descendants(pid) {
		rss, hwm, err := readStatus(p)
		if err != nil {
			if p == pid {
				return m, err
			}
			continue // a child that exited meanwhile
		}
		m.RSSKiB += rss
		m.HWMKiB += hwm
		m.Processes++
	}
	return m, nil
}

// descendants returns pid followed by every process whose chain of parents
// leads to pid.
func descendants(pid int) []int {
	children := map[int][]int{}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		p, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue
		}
		if ppid, ok := parsePPID(string(data)); ok {
			children[ppid] = append(children[ppid], p)
		}
	}
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

// parsePPID extracts the parent pid from a /proc/<pid>/stat line. The command
// name in parentheses may itself hold spaces and parentheses, so fields are
// counted from the last ')'.
func parsePPID(stat string) (int, bool) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(stat[i+1:])
	if len(f) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(f[1])
	return ppid, err == nil
}

// readStatus returns VmRSS and VmHWM of one process, in KiB.
func readStatus(pid int) (rss, hwm int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read memory of pid %d: %w", pid, err)
	}
	defer f.Close()
	return parseStatus(f)
}

// parseStatus reads VmRSS and VmHWM ("VmRSS:	  12345 kB") from a status file.
func parseStatus(f io.Reader) (rss, hwm int64, err error) {
	sc := bufio.NewScanner(f)
	found := 0
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		fields := strings.Fields(value)
		if len(fields) == 0 {
			continue
		}
		n, perr := strconv.ParseInt(fields[0], 10, 64)
		if perr != nil {
			continue
		}
		if name == "VmRSS" {
			rss = n
		} else {
			hwm = n
		}
		found++
	}
	if err := sc.Err(); err != nil {
		return 0, 0, fmt.Errorf("read status: %w", err)
	}
	if found == 0 {
		return 0, 0, fmt.Errorf("no VmRSS in status (zombie process?)")
	}
	return rss, hwm, nil
}
