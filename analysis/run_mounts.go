// This file defines Mount: the --mount flags of a RUN as written, with
// the positions of the flag and of its target and sharing fields. They are
// read once per instruction and cached with its chunk.
package analysis

import (
	"strings"
	"sync"
)

// Mount is one `--mount=...` flag of a RUN. Values are as written, not
// expanded (a value may hold `$VAR`).
type Mount struct {
	// Type is "bind" (BuildKit's default), "cache", "tmpfs", "secret" or
	// "ssh", lowercased.
	Type string
	// Target is the target (also spelled dst, destination), "" if missing.
	Target string
	// Sharing is "shared", "private", "locked" or "" (BuildKit's default,
	// shared).
	Sharing                          string
	ID, From, Source, UID, GID, Mode string
	ReadOnly                         bool
	Start, End                       int // the whole flag
	TargetStart, TargetEnd           int // the target value; the flag when it cannot be located
	SharingStart, SharingEnd         int // the sharing=... field; 0, 0 when absent
}

type mountCache struct {
	once   sync.Once
	mounts []Mount
}

// Mounts returns the RUN's --mount flags in order (nil for other
// instructions and for a RUN without them). The result is the caller's.
func (in *Instruction) Mounts() []Mount {
	if !in.Is("run") || in.Node() == nil {
		return nil
	}
	s := in.sem()
	s.run.mounts.once.Do(func() { s.run.mounts.mounts = in.readMounts(in.layout()) })
	if len(s.run.mounts.mounts) == 0 {
		return nil
	}
	d := in.ChunkStart()
	out := make([]Mount, len(s.run.mounts.mounts))
	for i, m := range s.run.mounts.mounts {
		m.Start += d
		m.End += d
		m.TargetStart += d
		m.TargetEnd += d
		if m.SharingEnd > 0 {
			m.SharingStart += d
			m.SharingEnd += d
		}
		out[i] = m
	}
	return out
}

// readMounts parses the --mount flags with chunk-relative positions.
func (in *Instruction) readMounts(x *instLayout) []Mount {
	node := in.Node()
	if x == nil || node == nil {
		return nil
	}
	var out []Mount
	x.mountFlags(node, func(fs span, fields []mountField) {
		m := Mount{Type: "bind"}
		m.Start, m.End = x.relSpan(fs)
		m.TargetStart, m.TargetEnd = m.Start, m.End
		for _, f := range fields {
			key, val, hasVal := f.key, f.value, f.hasValue
			switch strings.ToLower(key) {
			case "type":
				m.Type = strings.ToLower(val)
			case "target", "dst", "destination":
				m.Target = val
				m.TargetStart, m.TargetEnd = x.relSpan(f.val)
			case "sharing":
				m.Sharing = strings.ToLower(val)
				m.SharingStart, m.SharingEnd = x.relSpan(f.field)
			case "id":
				m.ID = val
			case "from":
				m.From = val
			case "source", "src":
				m.Source = val
			case "uid":
				m.UID = val
			case "gid":
				m.GID = val
			case "mode":
				m.Mode = val
			case "readonly", "ro":
				m.ReadOnly = !hasVal || strings.EqualFold(val, "true")
			case "rw", "readwrite":
				m.ReadOnly = hasVal && strings.EqualFold(val, "false")
			}
		}
		out = append(out, m)
	})
	return out
}
