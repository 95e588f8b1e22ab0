// This file defines the fix of SingleStageBuild for Python built with pip
// on a full python image: the original stage becomes the builder, which
// creates a virtual environment in /opt/venv before its first RUN and puts
// it first on PATH, so that every pip install goes into it; a runtime
// stage FROM python:<same version>-slim (the same Debian release when the
// tag names one) holds the runtime instructions, the venv (with
// `ENV PATH=/opt/venv/bin:$PATH`), the application files (the WORKDIR,
// as the builder leaves it) and a non-root system user.
//
// Nothing is offered unless every step is known to land in the venv or
// the WORKDIR: the tag must give the Python version (3.12, 3.12.4,
// 3.12-bookworm); there must be one WORKDIR, set before anything is
// copied or run; every RUN command must be pip (called by name, without
// --user, --target, --prefix, --root or an editable install) or a cleanup;
// COPY must write into the WORKDIR without --from, --chown or --chmod,
// and there is no ADD; no USER before a RUN, no SHELL, ONBUILD, VOLUME,
// or ENV that points pip or Python elsewhere; CMD or ENTRYPOINT (not
// both) must run a program by name (from the venv or the image), not a
// shell.
package codeactions

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/dockwise/dockwise/analysis"
)

// pythonTag matches the tags of full python images whose version the slim
// image can match: the version and optionally the Debian release.
var pythonTag = regexp.MustCompile(`^(\d+\.\d+(?:\.\d+)?)(-(?:bookworm|bullseye|trixie))?$`)

// pythonBuildEnv are ENV keys that only configure pip.
func pythonBuildEnv(k string) bool { return strings.HasPrefix(strings.ToUpper(k), "PIP_") }

// pythonBadEnv are ENV keys that send installs or the interpreter
// elsewhere than the venv.
var pythonBadEnv = []string{"PATH", "VIRTUAL_ENV", "PYTHONUSERBASE", "PYTHONHOME", "PIP_TARGET", "PIP_PREFIX", "PIP_USER", "PIP_ROOT"}

// pipElsewhere are pip flags that install outside the environment, or
// link the source tree into it.
var pipElsewhere = []string{"--user", "--target", "-t", "--prefix", "--root", "-e", "--editable", "--home"}

const venvDir = "/opt/venv"

func pythonSplit(in *Input, s *analysis.Stage) []*Action {
	f := in.File
	m := pythonTag.FindStringSubmatch(s.Image().Parsed.Tag)
	if m == nil {
		return nil
	}
	base := "python:" + m[1] + "-slim" + m[2]
	if !s.Workdir.Known || !path.IsAbs(s.Workdir.S) {
		return nil
	}
	wd := path.Clean(s.Workdir.S)
	workdirs, firstRun := 0, -1
	for k, inst := range s.Instructions {
		switch strings.ToLower(inst.Keyword()) {
		case "workdir":
			if workdirs++; workdirs > 1 {
				return nil
			}
		case "run":
			if workdirs == 0 {
				return nil
			}
			if firstRun < 0 {
				firstRun = k
			}
			cmds := inst.Commands(s.ShellAt(inst))
			if len(cmds) == 0 {
				return nil
			}
			for _, c := range cmds {
				switch {
				case c.Op == analysis.OpCleanup && c.Eco == analysis.EcoNone:
				case c.Eco == analysis.EcoPip:
					if !c.Prog.Literal || strings.Contains(c.Prog.Text, "/") || c.Subst {
						return nil
					}
					if _, bad := c.Flag(pipElsewhere...); bad {
						return nil
					}
				default:
					return nil
				}
			}
		case "copy":
			cc, ok := inst.Command().(*instructions.CopyCommand)
			if !ok || workdirs == 0 || cc.From != "" || cc.Chown != "" || cc.Chmod != "" || cc.Parents {
				return nil
			}
			dest := cc.DestPath
			if strings.Contains(dest, "$") {
				return nil
			}
			if path.IsAbs(dest) {
				if d := path.Clean(dest); d != wd && !strings.HasPrefix(d, wd+"/") {
					return nil
				}
			}
		case "user":
			if firstRun < 0 || slices.ContainsFunc(s.Instructions[k:], func(i *analysis.Instruction) bool { return i.Is("run") }) {
				return nil
			}
		case "env":
			ec, ok := inst.Command().(*instructions.EnvCommand)
			if !ok {
				return nil
			}
			for _, kv := range ec.Env {
				if slices.Contains(pythonBadEnv, strings.ToUpper(kv.Key)) {
					return nil
				}
			}
		case "add", "shell", "onbuild", "volume", "arg":
			return nil
		}
	}
	if firstRun < 0 {
		return nil
	}
	rt, ok := runtimeOf(f, s, pythonBuildEnv, numericUser, func(t []string) bool {
		return t[0] == "NONE" || t[0] == "CMD" && len(t) >= 2 && (t[1] == "python" || t[1] == "python3")
	})
	if !ok {
		return nil
	}
	kwName, words, comment, ok := rt.startCommand()
	if !ok {
		return nil
	}
	if len(words) == 0 || strings.Contains(words[0], "/") || slices.Contains([]string{"sh", "bash", "dash", "pip", "pip3"}, words[0]) {
		return nil
	}

	nl := eol(f)
	fromKw := s.From.Keyword()
	kw := func(k string) string { return keywordLike(fromKw, k) }
	name, edits := builderName(s, kw)
	at := commentsStart(f, s.Instructions[firstRun])
	edits = append(edits, Edit{Start: at, End: at,
		NewText: kw("RUN") + " python -m venv " + venvDir + nl + kw("ENV") + " PATH=" + venvDir + "/bin:$PATH" + nl})
	var b strings.Builder
	b.WriteString(stageBreak(f, nl))
	b.WriteString(kw("FROM") + " " + base + nl)
	for _, t := range rt.keep {
		b.WriteString(t)
	}
	b.WriteString(kw("COPY") + " --from=" + name + " " + venvDir + " " + venvDir + nl)
	b.WriteString(kw("ENV") + " PATH=" + venvDir + "/bin:$PATH" + nl)
	b.WriteString(kw("COPY") + " --from=" + name + " " + wd + " " + wd + nl)
	if !rt.hasUser {
		b.WriteString(appUser(kw, false, nl))
	}
	b.WriteString(comment + kw(kwName) + " " + jsonArray(words) + nl)
	edits = append(edits, Edit{Start: len(f.Text), End: len(f.Text), NewText: b.String()})
	title := "Split into stages: build in `" + name + "` into a venv in " + venvDir + ", run `" + wd + "` on `" + base + "`"
	if !rt.hasUser {
		title += " as `app`"
	}
	return []*Action{{Title: title, Edits: edits, Preferred: true}}
}
