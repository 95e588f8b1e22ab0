// This file defines the fix of SingleStageBuild for Java (Maven, Gradle,
// a Temurin JDK): the original stage becomes the builder, and a runtime
// stage FROM eclipse-temurin:<same Java version>-jre (-jre-alpine when
// the original is Alpine-based) holds the runtime instructions and the
// jar the original runs, under the same path, started the same way, as a
// non-root system user.
//
// The jar is the one CMD or ENTRYPOINT runs with `java -jar <file>.jar`;
// when there is no such command, or the Java version is not in the tag,
// nothing is offered.
package codeactions

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

var javaVersionTag = regexp.MustCompile(`(?:^|eclipse-temurin-|temurin-|openjdk-|jdk-?|java-?)(\d+)(?:[.-]|$)`)

var leadingNumber = regexp.MustCompile(`^(\d+)`)

func javaSplit(in *Input, s *analysis.Stage) []*Action {
	f := in.File
	im := s.Image()
	tag := im.Parsed.Tag
	var version string
	switch im.Family {
	case analysis.FamilyTemurin:
		if m := leadingNumber.FindStringSubmatch(tag); m != nil && strings.Contains(tag, "jdk") {
			version = m[1]
		}
	case analysis.FamilyMaven, analysis.FamilyGradle:
		// The Maven or Gradle version comes first: skip it.
		_, rest, ok := strings.Cut(tag, "-")
		if ok {
			if m := javaVersionTag.FindStringSubmatch(rest); m != nil {
				version = m[1]
			}
		}
	default:
		return nil
	}
	if version == "" {
		return nil
	}
	rt, ok := runtimeOf(f, s, func(k string) bool {
		return strings.HasPrefix(k, "MAVEN_") || strings.HasPrefix(k, "GRADLE_") || k == "JAVA_HOME" || k == "PATH"
	}, numericUser, func(t []string) bool { return t[0] == "NONE" })
	if !ok {
		return nil
	}
	kwName, words, comment, ok := rt.startCommand()
	if !ok {
		return nil
	}
	i := slices.Index(words, "-jar")
	if len(words) < 3 || words[0] != "java" || i < 1 || i+1 >= len(words) {
		return nil
	}
	jar := words[i+1]
	if !strings.HasSuffix(jar, ".jar") || strings.ContainsAny(jar, "*?[$ ") {
		return nil
	}
	if !path.IsAbs(jar) {
		if !s.Workdir.Known || !path.IsAbs(s.Workdir.S) {
			return nil
		}
		jar = path.Join(s.Workdir.S, jar)
	}
	alpine := strings.Contains(tag, "alpine")
	base := "eclipse-temurin:" + version + "-jre"
	if alpine {
		base += "-alpine"
	}

	nl := eol(f)
	fromKw := s.From.Keyword()
	kw := func(k string) string { return keywordLike(fromKw, k) }
	name, edits := builderName(s, kw)
	var b strings.Builder
	b.WriteString(stageBreak(f, nl))
	b.WriteString(kw("FROM") + " " + base + nl)
	for _, t := range rt.keep {
		b.WriteString(t)
	}
	b.WriteString(kw("COPY") + " --from=" + name + " " + jar + " " + jar + nl)
	if !rt.hasUser {
		b.WriteString(appUser(kw, alpine, nl))
	}
	b.WriteString(comment + kw(kwName) + " " + jsonArray(words) + nl)
	edits = append(edits, Edit{Start: len(f.Text), End: len(f.Text), NewText: b.String()})
	return []*Action{{
		Title: "Split into stages: build in `" + name + "`, run `" + jar + "` on `" + base + "`",
		Edits: edits, Preferred: true,
	}}
}
