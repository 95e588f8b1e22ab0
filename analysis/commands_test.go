package analysis

import (
	"fmt"
	"strings"
	"testing"
)

// renderCommands describes commands compactly:
// `name eco/op sub [targets] {dir=.. env=.. cond nest=N subst}`, joined by " | ".
func renderCommands(cs []Command) string {
	var parts []string
	for _, c := range cs {
		var b strings.Builder
		b.WriteString(c.Name)
		switch {
		case c.Op != OpNone:
			fmt.Fprintf(&b, " %s/%s", c.Eco, c.Op)
		case c.Eco != "":
			fmt.Fprintf(&b, " %s", c.Eco)
		}
		if c.Sub != "" {
			fmt.Fprintf(&b, " %q", c.Sub)
		}
		if len(c.Targets) > 0 {
			var ts []string
			for _, t := range c.Targets {
				ts = append(ts, t.Text)
			}
			fmt.Fprintf(&b, " [%s]", strings.Join(ts, ","))
		}
		var extra []string
		if c.Dir != "" {
			extra = append(extra, "dir="+c.Dir)
		}
		if c.DirUnknown {
			extra = append(extra, "dir=?")
		}
		for _, e := range c.Env {
			if e.Unset {
				extra = append(extra, "unset="+e.Name)
			} else {
				extra = append(extra, "env="+e.Name+"="+e.Value.Text)
			}
		}
		if c.Conditional {
			extra = append(extra, "cond")
		}
		if c.Nested > 0 {
			extra = append(extra, fmt.Sprintf("nest=%d", c.Nested))
		}
		if c.Subst {
			extra = append(extra, "subst")
		}
		if len(extra) > 0 {
			fmt.Fprintf(&b, " {%s}", strings.Join(extra, " "))
		}
		parts = append(parts, b.String())
	}
	return strings.Join(parts, " | ")
}

// checkOffsets verifies that every command and word maps into the
// instruction, and that unquoted literal words map to their own text.
func checkOffsets(t *testing.T, name string, f *File, in *Instruction, cs []Command) {
	t.Helper()
	lo, hi := in.Start(), in.End()
	inside := func(what string, s, e int) bool {
		if s < lo || e > hi || s > e {
			t.Errorf("%s: %s range [%d,%d) outside the RUN [%d,%d)", name, what, s, e, lo, hi)
			return false
		}
		return true
	}
	for _, c := range cs {
		inside(c.Name, c.Start, c.End)
		inside(c.Name+" sub", c.SubStart, c.SubEnd)
		ws := append([]Word{c.Prog}, c.Args...)
		ws = append(ws, c.Targets...)
		for _, w := range ws {
			if !inside(c.Name+" arg "+w.Text, w.Start, w.End) {
				continue
			}
			src := f.Text[w.Start:w.End]
			if w.Literal && !strings.ContainsAny(src, "'\"\\$\n`") && src != w.Text && !strings.HasSuffix(src, "="+w.Text) {
				t.Errorf("%s: word %q maps to %q", name, w.Text, src)
			}
		}
		if c.Prog.Literal && !strings.Contains(f.Text[c.Start:c.End], f.Text[c.Prog.Start:c.Prog.End]) {
			t.Errorf("%s: program outside its command", name)
		}
	}
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name, run string
		shell     []string
		want      string // renderCommands; "-" for nil
	}{
		// chains, pipelines, subshells, conditionals
		{"apt chain", `RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \
    && rm -rf /var/lib/apt/lists/*`,
			nil, `apt-get apt/update "update" | apt-get apt/install-pkgs "install" [curl,ca-certificates] | rm /cleanup [/var/lib/apt/lists/*]`},
		{"semicolons and or", `RUN set -eux; apt-get -qq update; apt-get -qqy install git || true`,
			nil, `set | apt-get apt/update "update" | apt-get apt/install-pkgs "install" [git] | true {cond}`},
		{"pipeline", `RUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash - && apt-get install -y nodejs`,
			nil, `curl | bash | apt-get apt/install-pkgs "install" [nodejs]`},
		{"subshell cd does not leak", `RUN (cd web && npm ci) && npm run build`,
			nil, `cd | npm npm/install-deps "ci" {dir=web} | npm npm/build "run build"`},
		{"if for case", `RUN if [ -f yarn.lock ]; then yarn --frozen-lockfile; elif [ -f pnpm-lock.yaml ]; then pnpm i --frozen-lockfile; else npm ci; fi && for p in a b; do pip install $p; done; case x in x) make ;; esac`,
			nil, `[ {cond} | yarn yarn/install-deps {cond} | [ {cond} | pnpm pnpm/install-deps "i" {cond} | npm npm/install-deps "ci" {cond} | pip pip/install-pkgs "install" [$p] {cond} | make make/build {cond}`},
		{"command substitution", `RUN rm -rf "$(npm config get cache)"`,
			nil, `npm npm {subst} | rm /cleanup ["$(npm config get cache)"]`},
		{"function", `RUN install_deps() { npm ci --omit=dev; }; install_deps`,
			nil, `npm npm/install-deps "ci"`},

		// env: prefixes, export, env, unset, declare
		{"env prefix", `RUN CGO_ENABLED=0 GOOS=linux go build -ldflags="-s -w" -o /bin/app ./cmd/app`,
			nil, `go go/build "build" {env=CGO_ENABLED=0 env=GOOS=linux}`},
		{"export earlier", `RUN export CGO_ENABLED=0 && go build -o app . && unset CGO_ENABLED && go vet ./...`,
			nil, `go go/build "build" {env=CGO_ENABLED=0} | unset {env=CGO_ENABLED=0} | go go {env=CGO_ENABLED=0 unset=CGO_ENABLED}`},
		{"export of shell var", `RUN NODE_ENV=production; export NODE_ENV; npm ci`,
			nil, `npm npm/install-deps "ci" {env=NODE_ENV=production}`},
		{"env command", `RUN env -u HOME PIP_NO_CACHE_DIR=1 pip install -r requirements.txt`,
			nil, `pip pip/install-deps "install" {unset=HOME env=PIP_NO_CACHE_DIR=1}`},
		{"declare -x", `RUN declare -x GOFLAGS=-mod=vendor; go build ./...`,
			[]string{"/bin/bash", "-c"}, `go go/build "build" {env=GOFLAGS=-mod=vendor}`},
		{"variable program", `RUN PIP=pip3; $PIP install flask`,
			nil, `pip3 pip/install-pkgs "install" [flask]`},

		// cd
		{"cd chain", `RUN cd /src && cd app && go mod download && cd .. && make`,
			nil, `cd | cd {dir=/src} | go go/install-deps "mod download" {dir=/src/app} | cd {dir=/src/app} | make make/build {dir=/src}`},
		{"cd relative and unknown", `RUN cd frontend && npm ci && cd $HOME && npm run build`,
			nil, `cd | npm npm/install-deps "ci" {dir=frontend} | cd {dir=frontend} | npm npm/build "run build" {dir=frontend dir=?}`},

		// nested shells
		{"sh -c single quotes", `RUN sh -c 'npm ci && npm run build'`,
			nil, `npm npm/install-deps "ci" {nest=1} | npm npm/build "run build" {nest=1}`},
		{"bash -ec double quotes", `RUN bash -euo pipefail -c "cd /app && poetry install --no-root --only main"`,
			nil, `cd {nest=1} | poetry poetry/install-deps "install" {dir=/app nest=1}`},
		{"sh -c escaped", `RUN /bin/sh -c "echo \"hi\" && pip install --no-cache-dir -r requirements.txt"`,
			nil, `echo {nest=1} | pip pip/install-deps "install" {nest=1}`},
		{"sh -c with continuation", "RUN sh -c 'apt-get update && \\\n    apt-get install -y git'",
			nil, `apt-get apt/update "update" {nest=1} | apt-get apt/install-pkgs "install" [git] {nest=1}`},
		{"sh -c variable script", `RUN sh -c "$CMD"`, nil, `sh`},
		{"sh script file", `RUN sh ./install.sh --prefix /usr`, nil, `sh`},
		{"bash heredoc", "RUN bash <<'EOF'\nset -e\nbundle config set --local deployment true\nbundle install\nEOF",
			nil, `set {nest=1} | bundle bundler {nest=1} | bundle bundler/install-deps "install" {nest=1}`},
		{"here-string", `RUN bash <<< "go mod download"`, nil, `go go/install-deps "mod download" {nest=1}`},
		{"exec form sh -c", `RUN ["sh", "-c", "corepack yarn install --immutable"]`,
			nil, `yarn yarn/install-deps "install"`},
		{"exec form", `RUN ["pip", "install", "flask"]`, nil, `-`},

		// heredoc RUN
		{"heredoc script", "RUN <<EOF\nset -e\npip install -r requirements.txt\npython3 -m pip install --no-cache-dir gunicorn==22.0\nEOF",
			nil, `set | pip pip/install-deps "install" | pip pip/install-pkgs "install" [gunicorn==22.0]`},
		{"heredoc file", "RUN cat > /etc/app.conf <<EOF\nnpm ci\nEOF", nil, `cat`},

		// wrappers
		{"sudo env npx", `RUN sudo -u app env FOO=1 npx --yes tsc -p tsconfig.json`,
			nil, `tsc node/build {env=FOO=1}`},
		{"python -m", `RUN python3.12 -u -m pip install --upgrade pip setuptools && python -m venv /venv`,
			nil, `pip pip/install-pkgs "install" [pip,setuptools] | venv`},
		{"corepack", `RUN corepack enable && corepack pnpm install --frozen-lockfile`,
			nil, `corepack | pnpm pnpm/install-deps "install"`},
		{"paths", `RUN /usr/local/bin/npm ci && ./mvnw -B -q dependency:go-offline && ./gradlew --no-daemon bootJar -x test`,
			nil, `npm npm/install-deps "ci" | mvnw maven/install-deps "dependency:go-offline" | gradlew gradle/build "bootJar"`},
		{"xargs", `RUN cat packages.txt | xargs -r apt-get install -y`,
			nil, `cat | apt-get apt/install-pkgs "install"`},
		{"gosu and exec", `RUN gosu app bundle exec rake assets:precompile && exec nohup make`,
			nil, `rake | make make/build`},

		// SHELL
		{"powershell", `RUN Get-ChildItem`, []string{"powershell", "-command"}, `-`},
		{"bash shell", `RUN [[ -f go.mod ]] && go mod download`, []string{"/bin/bash", "-c"}, `go go/install-deps "mod download"`},

		// classification
		{"npm install", `RUN npm install && npm install -g pnpm@9 && npm i --omit=dev && npm install --prefix web`,
			nil, `npm npm/install-deps "install" | npm npm/install-pkgs "install" [pnpm@9] | npm npm/install-deps "i" | npm npm/install-deps "install"`},
		{"npm misc", `RUN npm cache clean --force && npm prune --production && npm update && npm run lint && npm test`,
			nil, `npm npm/cleanup "cache clean" | npm npm/prune "prune" | npm npm/upgrade-deps "update" | npm npm/run "run lint" | npm npm/run "test"`},
		{"yarn", `RUN yarn && yarn install --production --network-timeout 100000 && yarn add left-pad && yarn build && yarn cache clean && yarn tsc`,
			nil, `yarn yarn/install-deps | yarn yarn/install-deps "install" | yarn yarn/install-pkgs "add" [left-pad] | yarn yarn/build "build" | yarn yarn/cleanup "cache clean" | yarn yarn/build "tsc"`},
		{"yarn workspaces", `RUN yarn workspaces focus --production && yarn workspace @app/web build && yarn start`,
			nil, `yarn yarn/install-deps "workspaces focus" | yarn yarn/build "workspace @app/web build" | yarn yarn/run "start"`},
		{"pnpm", `RUN pnpm fetch --prod && pnpm install -r --offline --prod && pnpm --filter web build && pnpm prune --prod && pnpm store prune`,
			nil, `pnpm pnpm/install-deps "fetch" | pnpm pnpm/install-deps "install" | pnpm pnpm/build "build" | pnpm pnpm/prune "prune" | pnpm pnpm/cleanup "store prune"`},
		{"pip", `RUN pip install . && pip install -e . && pip3 install --user -r requirements/prod.txt && pip install "django>=4" && pip cache purge && pip uninstall -y setuptools && pip wheel --wheel-dir /wheels -r requirements.txt`,
			nil, `pip pip/install-deps "install" | pip pip/install-deps "install" | pip3 pip/install-deps "install" | pip pip/install-pkgs "install" [django>=4] | pip pip/cleanup "cache purge" | pip pip/remove-pkgs "uninstall" [setuptools] | pip pip/install-deps "wheel"`},
		{"python tools", `RUN pipenv install --system --deploy && pipenv install requests && poetry install --no-root && poetry add flask && uv sync --frozen && uv pip install --system -r requirements.txt && uv pip install ruff && uv lock`,
			nil, `pipenv pipenv/install-deps "install" | pipenv pipenv/install-pkgs "install" [requests] | poetry poetry/install-deps "install" | poetry poetry/install-pkgs "add" [flask] | uv uv/install-deps "sync" | uv uv/install-deps "pip install" | uv uv/install-pkgs "pip install" [ruff] | uv uv/upgrade-deps "lock"`},
		{"go", `RUN go mod download && go build -o /app . && go install github.com/go-delve/delve/cmd/dlv@latest && go install ./cmd/... && go get -u ./... && go mod tidy && go clean -modcache -cache && go test ./...`,
			nil, `go go/install-deps "mod download" | go go/build "build" | go go/install-pkgs "install" [github.com/go-delve/delve/cmd/dlv@latest] | go go/build "install" | go go/upgrade-deps "get" | go go/upgrade-deps "mod tidy" | go go/cleanup "clean" | go go`},
		{"cargo", `RUN cargo fetch && cargo build --release --locked && cargo install --path . && cargo install cargo-chef --locked && cargo chef cook --release --recipe-path recipe.json && cargo update`,
			nil, `cargo cargo/install-deps "fetch" | cargo cargo/build "build" | cargo cargo/build "install" | cargo cargo/install-pkgs "install" [cargo-chef] | cargo cargo/install-deps "chef cook" | cargo cargo/upgrade-deps "update"`},
		{"maven gradle", `RUN mvn -B -f pom.xml -s settings.xml dependency:go-offline && mvn -DskipTests clean package && mvn clean && gradle dependencies --no-daemon && gradle :app:build -x test && ./gradlew clean`,
			nil, `mvn maven/install-deps "dependency:go-offline" | mvn maven/build "clean package" | mvn maven | gradle gradle/install-deps "dependencies" | gradle gradle/build ":app:build" | gradlew gradle`},
		{"composer phar", `RUN php composer.phar install --no-dev && php /usr/local/bin/composer.phar update`,
			nil, `composer composer/install-deps "install" | composer composer/upgrade-deps "update"`},
		{"ruby php dotnet", `RUN bundle install --jobs 4 && gem install bundler:2.5.0 && bundle update && composer install --no-dev && composer update && composer require monolog/monolog && dotnet restore && dotnet publish -c Release -o /out && dotnet tool install --global dotnet-ef`,
			nil, `bundle bundler/install-deps "install" | gem bundler/install-pkgs "install" [bundler:2.5.0] | bundle bundler/upgrade-deps "update" | composer composer/install-deps "install" | composer composer/upgrade-deps "update" | composer composer/install-pkgs "require" [monolog/monolog] | dotnet dotnet/install-deps "restore" | dotnet dotnet/build "publish" | dotnet dotnet/install-pkgs "tool install" [dotnet-ef]`},
		{"os packages", `RUN apk add --no-cache --virtual .build-deps gcc musl-dev && apk del .build-deps && apk update && yum install -y httpd && yum clean all && microdnf install -y --nodocs java-21 && dnf -y makecache && apt-get clean && apt-get purge -y --auto-remove curl`,
			nil, `apk apk/install-pkgs "add" [gcc,musl-dev] | apk apk/remove-pkgs "del" [.build-deps] | apk apk/update "update" | yum dnf/install-pkgs "install" [httpd] | yum dnf/cleanup "clean" | microdnf dnf/install-pkgs "install" [java-21] | dnf dnf/update "makecache" | apt-get apt/cleanup "clean" | apt-get apt/remove-pkgs "purge" [curl]`},
		{"js build tools", `RUN tsc -p . && ng build --configuration production && vite build && webpack --mode production && next build && npx react-scripts build && vite`,
			nil, `tsc node/build | ng node/build "build" | vite node/build "build" | webpack node/build | next node/build "build" | react-scripts node/build "build" | vite node/run`},
		{"native", `RUN ./configure --prefix=/usr && make -j"$(nproc)" && make install && make clean && cmake --build build --target all && gcc -O2 -o hello hello.c && gcc --version`,
			nil, `configure make/build | nproc {subst} | make make/build | make make/build "install" | make make | cmake make/build | gcc make/build | gcc make`},
		{"find delete", `RUN find /usr/local -depth -type d -name __pycache__ -exec rm -rf '{}' + && find . -name '*.md'`,
			nil, `find /cleanup [/usr/local] | find`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Parse("FROM alpine\n" + tt.run + "\n")
			in := f.Instructions()[1]
			cs := in.Commands(tt.shell)
			got := "-"
			if cs != nil {
				got = renderCommands(cs)
			}
			if got != tt.want {
				t.Errorf("commands of %q\n got: %s\nwant: %s", tt.run, got, tt.want)
			}
			checkOffsets(t, tt.name, f, in, cs)
		})
	}
}

// TestCommandRanges checks exact ranges of words, flags, values and of
// commands inside nested scripts.
func TestCommandRanges(t *testing.T) {
	src := "FROM node:20\nRUN --mount=type=cache,target=/root/.npm \\\n    sh -c 'npm ci --omit=dev' && pip install -r req.txt\n"
	f := Parse(src)
	in := f.Instructions()[1]
	cs := in.Commands(nil)
	if len(cs) != 2 {
		t.Fatalf("got %s", renderCommands(cs))
	}
	at := func(s, e int) string { return f.Text[s:e] }
	if got := at(cs[0].Start, cs[0].End); got != "npm ci --omit=dev" {
		t.Errorf("nested command range %q", got)
	}
	if got := at(cs[0].Prog.Start, cs[0].SubEnd); got != "npm ci" {
		t.Errorf("program..sub %q", got)
	}
	w, ok := cs[0].Flag("--omit")
	if !ok || at(w.Start, w.End) != "--omit=dev" {
		t.Errorf("Flag(--omit) = %+v %v", w, ok)
	}
	v, ok := cs[0].FlagValue("--omit")
	if !ok || v.Text != "dev" || at(v.Start, v.End) != "dev" {
		t.Errorf("FlagValue(--omit) = %+v %v", v, ok)
	}
	r, ok := cs[1].FlagValue("-r", "--requirement")
	if !ok || r.Text != "req.txt" || at(r.Start, r.End) != "req.txt" {
		t.Errorf("FlagValue(-r) = %+v", r)
	}
	if _, ok := cs[1].Flag("-y"); ok {
		t.Errorf("pip has no -y here")
	}

	// An escaped sh -c string maps every command to the whole string.
	f = Parse("FROM a\nRUN sh -c \"echo \\\"x\\\" && npm ci\"\n")
	cs = f.Instructions()[1].Commands(nil)
	if len(cs) != 2 || f.Text[cs[1].Start:cs[1].End] != `"echo \"x\" && npm ci"` {
		t.Errorf("approximate range: %s", renderCommands(cs))
	}
}

func TestCommandFlags(t *testing.T) {
	f := Parse("FROM a\nRUN apt-get -qy install --no-install-recommends curl && rm -fr /tmp/x && npm ci --production\n")
	cs := f.Instructions()[1].Commands(nil)
	if _, ok := cs[0].Flag("-y", "--yes", "--assume-yes"); !ok {
		t.Error("apt-get -qy: no -y")
	}
	if _, ok := cs[0].Flag("-f"); ok {
		t.Error("apt-get -qy: -f found")
	}
	if _, ok := cs[1].Flag("-r"); !ok {
		t.Error("rm -fr: no -r")
	}
	if _, ok := cs[2].Flag("-p"); ok {
		t.Error("npm is not getopt-style: -p matched --production")
	}
	if _, ok := cs[2].Flag("--production"); !ok {
		t.Error("no --production")
	}
	if got := len(cs[0].Operands()); got != 1 {
		t.Errorf("apt-get operands %d, want 1", got)
	}
}

// TestCommandsCachedAcrossEdits checks that commands of an instruction
// after an edit above it have the new positions.
func TestCommandsCachedAcrossEdits(t *testing.T) {
	f := Parse("FROM a\nENV A=1\nENV B=2\nRUN npm ci && go build ./...\n")
	before := f.Instructions()[3].Commands(nil)
	g, _ := f.Edit(7, 7, "ENV C=3\n")
	in := g.Instructions()[4]
	after := in.Commands(nil)
	if len(after) != 2 || len(before) != 2 {
		t.Fatalf("got %d and %d commands", len(before), len(after))
	}
	for i := range after {
		if got := g.Text[after[i].Start:after[i].End]; got != f.Text[before[i].Start:before[i].End] {
			t.Errorf("command %d maps to %q after the edit", i, got)
		}
	}
	// The original file still maps to its own positions.
	again := f.Instructions()[3].Commands(nil)
	for i := range again {
		if again[i].Start != before[i].Start {
			t.Errorf("command %d of the original file moved to %d", i, again[i].Start)
		}
	}
}

func TestStageRunsAndEnv(t *testing.T) {
	f := Parse(`FROM golang:1.23 AS build
ENV CGO_ENABLED=0
RUN go build -o /app .
SHELL ["powershell", "-c"]
RUN Get-Item
SHELL ["/bin/bash", "-c"]
RUN CGO_ENABLED=1 go build ./...
ENV GOFLAGS=-mod=vendor
FROM build
RUN go vet ./...
`)
	m := f.Semantics()
	s := m.Stages[0]
	var runs []string
	var cmds [][]Command
	var ins []*Instruction
	for in, cs := range s.Runs() {
		runs = append(runs, fmt.Sprint(cs == nil))
		cmds = append(cmds, cs)
		ins = append(ins, in)
	}
	if strings.Join(runs, " ") != "false true false" {
		t.Fatalf("nil commands per RUN: %v", runs)
	}
	if v, ok := cmds[0][0].Lookup(s, ins[0], "CGO_ENABLED"); !ok || v.S != "0" || !v.Known {
		t.Errorf("CGO_ENABLED at the first RUN: %+v %v", v, ok)
	}
	if v, ok := cmds[2][0].Lookup(s, ins[2], "CGO_ENABLED"); !ok || v.S != "1" {
		t.Errorf("CGO_ENABLED with a prefix: %+v %v", v, ok)
	}
	if v, ok := s.EnvAt(ins[0], "GOFLAGS"); !ok || v.Known {
		t.Errorf("GOFLAGS set after the RUN should be unknown there, got %+v %v", v, ok)
	}
	if v, ok := s.EnvAt(ins[0], "GOPATH"); !ok || v.S != "/go" {
		t.Errorf("GOPATH from the image: %+v %v", v, ok)
	}
	if _, ok := s.EnvAt(ins[0], "NOPE"); ok {
		t.Error("NOPE defined")
	}
	if sh := s.ShellAt(ins[2]); strings.Join(sh, " ") != "/bin/bash -c" {
		t.Errorf("ShellAt = %v", sh)
	}
	child := m.Stages[1]
	for in, cs := range child.Runs() {
		if cs == nil || cs[0].Op != OpNone || cs[0].Name != "go" {
			t.Errorf("child RUN under the parent's bash SHELL: %v", renderCommands(cs))
		}
		if v, ok := child.EnvAt(in, "GOFLAGS"); !ok || v.S != "-mod=vendor" {
			t.Errorf("GOFLAGS inherited: %+v", v)
		}
	}
}

func TestMounts(t *testing.T) {
	src := "FROM a\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,dst=/root/.npm,id=npm \\\n  --mount=type=secret,id=tok --mount=target=/src,ro npm ci\n"
	f := Parse(src)
	in := f.Instructions()[1]
	ms := in.Mounts()
	if len(ms) != 4 {
		t.Fatalf("got %d mounts", len(ms))
	}
	at := func(s, e int) string { return f.Text[s:e] }
	if ms[0].Type != "cache" || ms[0].Target != "/var/cache/apt" || ms[0].Sharing != "locked" {
		t.Errorf("mount 0: %+v", ms[0])
	}
	if at(ms[0].TargetStart, ms[0].TargetEnd) != "/var/cache/apt" || at(ms[0].SharingStart, ms[0].SharingEnd) != "sharing=locked" {
		t.Errorf("mount 0 ranges: %q %q", at(ms[0].TargetStart, ms[0].TargetEnd), at(ms[0].SharingStart, ms[0].SharingEnd))
	}
	if at(ms[1].Start, ms[1].End) != "--mount=type=cache,dst=/root/.npm,id=npm" || ms[1].Target != "/root/.npm" || ms[1].ID != "npm" || ms[1].Sharing != "" {
		t.Errorf("mount 1: %+v", ms[1])
	}
	if ms[2].Type != "secret" || ms[3].Type != "bind" || !ms[3].ReadOnly || ms[3].Target != "/src" {
		t.Errorf("mounts 2, 3: %+v %+v", ms[2], ms[3])
	}
	if Parse("FROM a\nCOPY . .\n").Instructions()[1].Mounts() != nil {
		t.Error("COPY has mounts")
	}
}

// TestCommandsCorpus extracts the commands of every RUN of the corpus: no
// panic, every range inside its RUN, and most scripts understood.
func TestCommandsCorpus(t *testing.T) {
	files := corpusFiles(t)
	runs, known, cmds := 0, 0, 0
	byOp := map[Op]int{}
	for _, name := range sortedKeys(files) {
		f := Parse(files[name])
		m := f.Semantics()
		for _, s := range m.Stages {
			for in, cs := range s.Runs() {
				runs++
				in.Mounts()
				if cs == nil {
					continue
				}
				known++
				cmds += len(cs)
				for _, c := range cs {
					byOp[c.Op]++
				}
				checkOffsets(t, name, f, in, cs)
			}
		}
	}
	t.Logf("%d RUNs, %d with commands, %d commands; by op: %v", runs, known, cmds, byOp)
	if runs == 0 {
		t.Skip("empty corpus")
	}
	if known < runs*8/10 {
		t.Errorf("commands known for %d of %d RUNs", known, runs)
	}
	if byOp[OpInstallPkgs] == 0 || byOp[OpInstallDeps] == 0 || byOp[OpBuild] == 0 || byOp[OpCleanup] == 0 {
		t.Errorf("some operations never seen: %v", byOp)
	}
}

func BenchmarkCommands(b *testing.B) {
	src := "FROM a\nRUN apt-get update && apt-get install -y --no-install-recommends curl git \\\n && rm -rf /var/lib/apt/lists/* && cd /app && CGO_ENABLED=0 go build -o /bin/app ./cmd/app\n"
	for b.Loop() {
		Parse(src).Instructions()[1].Commands(nil)
	}
}
