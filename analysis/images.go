// This file defines ImageRef, an image reference split into registry,
// repository, tag and digest with the rules BuildKit uses to validate base
// image names, and the table of what common official images define in
// their configuration (ENV, WORKDIR). BuildKit reads an image's
// configuration from its registry; dockwise works offline, so it knows the
// images in this table and treats every other image as unknown.
package analysis

import (
	"errors"
	"regexp"
	"strings"
	"sync"
)

// ImageRef is a parsed image reference such as `golang:1.23-alpine` or
// `ghcr.io/org/app@sha256:...`.
type ImageRef struct {
	Registry   string // e.g. "docker.io" (also when implicit), "ghcr.io"
	Repository string // e.g. "library/golang", "org/app"
	Tag        string // "" when absent
	Digest     string // "sha256:..." or ""
}

// Name returns the repository in its familiar form: `golang` for an
// official image, `org/app` on Docker Hub, `ghcr.io/org/app` elsewhere.
func (r ImageRef) Name() string {
	if r.Registry == "docker.io" {
		return strings.TrimPrefix(r.Repository, "library/")
	}
	return r.Registry + "/" + r.Repository
}

// String returns the reference in its familiar form.
func (r ImageRef) String() string {
	s := r.Name()
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// The reference grammar of the image distribution specification.
var (
	refAlnum       = `[a-z0-9]+`
	refSeparator   = `(?:[._]|__|[-]+)`
	refPathComp    = refAlnum + `(?:` + refSeparator + refAlnum + `)*`
	refDomainComp  = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
	refDomainName  = refDomainComp + `(?:\.` + refDomainComp + `)*`
	refHost        = `(?:` + refDomainName + `|\[(?:[a-fA-F0-9:]+)\])`
	refDomain      = refHost + `(?::[0-9]+)?`
	refTag         = `[\w][\w.-]{0,127}`
	refDigest      = `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}`
	refRemote      = refPathComp + `(?:/` + refPathComp + `)*`
	referenceRe    = regexp.MustCompile(`^((?:` + refDomain + `/)?` + refRemote + `)(?::(` + refTag + `))?(?:@(` + refDigest + `))?$`)
	nameRe         = regexp.MustCompile(`^(?:(` + refDomain + `)/)?(` + refRemote + `)$`)
	hexIdentRe     = regexp.MustCompile(`^[a-f0-9]{64}$`)
	digestHexSizes = map[string]int{"sha256": 64, "sha384": 96, "sha512": 128}
)

// refCache memoizes ParseImageRef: a file names few images, and the model
// parses them again whenever a stage is dispatched again.
var refCache struct {
	sync.Mutex
	m map[string]refResult
}

type refResult struct {
	ref ImageRef
	err error
}

// ParseImageRef parses and normalizes an image reference the way BuildKit
// does before it pulls a base image: Docker Hub is the default registry,
// `library/` the default namespace, and the repository must be lowercase.
func ParseImageRef(s string) (ImageRef, error) {
	refCache.Lock()
	r, ok := refCache.m[s]
	refCache.Unlock()
	if ok {
		return r.ref, r.err
	}
	ref, err := parseImageRef(s)
	refCache.Lock()
	if refCache.m == nil || len(refCache.m) >= 4096 {
		refCache.m = map[string]refResult{}
	}
	refCache.m[s] = refResult{ref, err}
	refCache.Unlock()
	return ref, err
}

func parseImageRef(s string) (ImageRef, error) {
	if s == "" {
		return ImageRef{}, errors.New("invalid reference format: repository name must have at least one component")
	}
	if hexIdentRe.MatchString(s) {
		return ImageRef{}, errors.New("invalid repository name, cannot specify 64-byte hexadecimal strings")
	}
	domain, remainder := "docker.io", s
	if i := strings.IndexByte(s, '/'); i >= 0 && (strings.ContainsAny(s[:i], ".:") || s[:i] == "localhost" || strings.ToLower(s[:i]) != s[:i]) {
		domain, remainder = s[:i], s[i+1:]
	}
	if domain == "index.docker.io" {
		domain = "docker.io"
	}
	if domain == "docker.io" && !strings.ContainsRune(remainder, '/') {
		remainder = "library/" + remainder
	}
	remote := remainder
	if i := strings.IndexByte(remainder, ':'); i >= 0 {
		remote = remainder[:i]
	}
	if strings.ToLower(remote) != remote {
		return ImageRef{}, errors.New("invalid reference format: repository name must be lowercase")
	}
	m := referenceRe.FindStringSubmatch(domain + "/" + remainder)
	if m == nil {
		return ImageRef{}, errors.New("invalid reference format")
	}
	if len(m[1]) > 255 {
		return ImageRef{}, errors.New("repository name must not be more than 255 characters")
	}
	nm := nameRe.FindStringSubmatch(m[1])
	if nm == nil {
		return ImageRef{}, errors.New("invalid reference format")
	}
	ref := ImageRef{Registry: nm[1], Repository: nm[2], Tag: m[2], Digest: m[3]}
	if ref.Digest != "" {
		alg, hex, _ := strings.Cut(ref.Digest, ":")
		n, ok := digestHexSizes[alg]
		if !ok {
			return ImageRef{}, errors.New("unsupported digest algorithm")
		}
		if len(hex) != n || strings.ToLower(hex) != hex {
			return ImageRef{}, errors.New("invalid checksum digest format")
		}
	}
	return ref, nil
}

// imageConfig is what the table knows about an image's configuration.
type imageConfig struct {
	env     []string // "KEY=value", or "KEY" when the value varies by tag
	workdir string
}

const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

var (
	javaEnv = []string{"JAVA_HOME=/opt/java/openjdk", "PATH=/opt/java/openjdk/bin:" + defaultPath,
		"LANG=en_US.UTF-8", "LANGUAGE=en_US:en", "LC_ALL=en_US.UTF-8", "JAVA_VERSION"}
	dotnetEnv = []string{"APP_UID=1654", "ASPNETCORE_HTTP_PORTS=8080", "ASPNETCORE_URLS", "DOTNET_RUNNING_IN_CONTAINER=true",
		"DOTNET_VERSION", "ASPNET_VERSION", "DOTNET_SDK_VERSION", "DOTNET_GENERATE_ASPNET_CERTIFICATE=false",
		"DOTNET_NOLOGO=true", "DOTNET_USE_POLLING_FILE_WATCHER=true", "NUGET_XMLDOC_MODE=skip",
		"POWERSHELL_DISTRIBUTION_CHANNEL", "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"}
	distrolessEnv = []string{"PATH=" + defaultPath, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"}
)

// knownImages maps an image's familiar name to its configuration, for
// images whose configuration is the same across their tags (the union of
// the keys is listed where tags differ). Every image in the table gets PATH.
var knownImages = map[string]imageConfig{
	"alpine":  {},
	"debian":  {},
	"ubuntu":  {},
	"busybox": {},
	"fedora":  {env: []string{"DISTTAG", "FGC", "FBR"}},
	"golang": {env: []string{"PATH=/usr/local/go/bin:/go/bin:" + defaultPath, "GOLANG_VERSION",
		"GOTOOLCHAIN=local", "GOPATH=/go"}, workdir: "/go"},
	"node": {env: []string{"NODE_VERSION", "YARN_VERSION"}},
	"python": {env: []string{"PATH=/usr/local/bin:" + defaultPath, "LANG=C.UTF-8", "GPG_KEY", "PYTHON_VERSION",
		"PYTHON_SHA256", "PYTHON_PIP_VERSION", "PYTHON_SETUPTOOLS_VERSION", "PYTHON_GET_PIP_URL", "PYTHON_GET_PIP_SHA256"}},
	"eclipse-temurin": {env: javaEnv},
	"openjdk":         {env: []string{"JAVA_HOME", "PATH", "LANG=C.UTF-8", "JAVA_VERSION"}},
	"maven":           {env: append([]string{"MAVEN_HOME=/usr/share/maven", "MAVEN_CONFIG=/root/.m2"}, javaEnv...)},
	"gradle": {env: append([]string{"GRADLE_HOME=/opt/gradle", "GRADLE_VERSION"}, javaEnv...),
		workdir: "/home/gradle"},
	"ruby": {env: []string{"LANG=C.UTF-8", "RUBY_MAJOR", "RUBY_VERSION", "RUBY_DOWNLOAD_URL", "RUBY_DOWNLOAD_SHA256",
		"GEM_HOME=/usr/local/bundle", "BUNDLE_SILENCE_ROOT_WARNING=1", "BUNDLE_APP_CONFIG=/usr/local/bundle",
		"PATH=/usr/local/bundle/bin:" + defaultPath}},
	"php": {env: []string{"PHPIZE_DEPS", "PHP_INI_DIR=/usr/local/etc/php", "APACHE_CONFDIR=/etc/apache2",
		"APACHE_ENVVARS=/etc/apache2/envvars", "PHP_CFLAGS", "PHP_CPPFLAGS", "PHP_LDFLAGS", "GPG_KEYS",
		"PHP_VERSION", "PHP_URL", "PHP_ASC_URL", "PHP_SHA256"}, workdir: "/var/www/html"},
	"rust": {env: []string{"RUSTUP_HOME=/usr/local/rustup", "CARGO_HOME=/usr/local/cargo",
		"PATH=/usr/local/cargo/bin:" + defaultPath, "RUST_VERSION"}},
	"nginx": {env: []string{"NGINX_VERSION", "NJS_VERSION", "NJS_RELEASE", "PKG_RELEASE", "DYNPKG_RELEASE"}},
	"httpd": {env: []string{"HTTPD_PREFIX=/usr/local/apache2", "PATH=/usr/local/apache2/bin:" + defaultPath,
		"HTTPD_VERSION", "HTTPD_SHA256", "HTTPD_PATCHES"}, workdir: "/usr/local/apache2"},
	"mcr.microsoft.com/dotnet/sdk":          {env: dotnetEnv},
	"mcr.microsoft.com/dotnet/aspnet":       {env: dotnetEnv},
	"mcr.microsoft.com/dotnet/runtime":      {env: dotnetEnv},
	"mcr.microsoft.com/dotnet/runtime-deps": {env: dotnetEnv},
	"gcr.io/distroless/static":              {env: distrolessEnv},
	"gcr.io/distroless/base":                {env: distrolessEnv},
	"gcr.io/distroless/base-nossl":          {env: distrolessEnv},
	"gcr.io/distroless/cc":                  {env: distrolessEnv},
}

// lookupImage returns the key of an image in the table, if known.
func lookupImage(ref ImageRef) (string, bool) {
	name := ref.Name()
	if _, ok := knownImages[name]; ok {
		return name, true
	}
	// distroless images come in per-Debian-release repositories
	// (static-debian12); their configuration is the same.
	if base, _, ok := strings.Cut(name, "-debian"); ok && strings.HasPrefix(name, "gcr.io/distroless/") {
		_, ok := knownImages[base]
		return base, ok
	}
	return "", false
}
