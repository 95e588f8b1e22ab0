// This file defines Mount: the --mount flags of a RUN as written, with
// the positions of the flag and of its target and sharing fields. They are
// read once per instruction and cached with its chunk.
package analysis

import (
	"strings"
	"sync"

	"github.com/tonistiigi/go-csvvalue"
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
	s.mounts.once.Do(func() { s.mounts.mounts = in.readMounts() })
	if len(s.mounts.mounts) == 0 {
		return nil
	}
	d := in.ChunkStart()
	out := make([]Mount, len(s.mounts.mounts))
	for i, m := range s.mounts.mounts {
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
func (in *Instruction) readMounts() []Mount {
	x := in.layout()
	node := in.Node()
	if x == nil || node == nil {
		return nil
	}
	aligned := len(x.flags) == len(node.Flags)
	var out []Mount
	for i, fl := range node.Flags {
		n, v, _ := strings.Cut(strings.TrimPrefix(fl, "--"), "=")
		if n != "mount" {
			continue
		}
		fs := x.rest
		if aligned {
			fs = x.flags[i]
		}
		fields, err := csvvalue.Fields(v, nil)
		if err != nil {
			continue
		}
		m := Mount{Type: "bind"}
		m.Start, m.End = x.relSpan(fs)
		m.TargetStart, m.TargetEnd = m.Start, m.End
		exact := aligned && x.text(fs) == "--mount="+v && !strings.ContainsAny(v, `"`)
		off := fs.start + len("--mount=")
		for _, field := range fields {
			key, val, hasVal := strings.Cut(field, "=")
			valSpan, fieldSpan := fs, fs
			if exact {
				fieldSpan = span{off, off + len(field)}
				valSpan = span{off + len(key) + 1, off + len(field)}
				off += len(field) + 1
			}
			switch strings.ToLower(key) {
			case "type":
				m.Type = strings.ToLower(val)
			case "target", "dst", "destination":
				m.Target = val
				m.TargetStart, m.TargetEnd = x.relSpan(valSpan)
			case "sharing":
				m.Sharing = strings.ToLower(val)
				m.SharingStart, m.SharingEnd = x.relSpan(fieldSpan)
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
	}
	return out
}
