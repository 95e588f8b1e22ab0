// This file tests the output folders of the static front-end split.
package codeactions

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockwise/dockwise/analysis"
)

func TestStaticOutDir(t *testing.T) {
	ng17 := &analysis.PackageJSON{Dependencies: map[string]string{"@angular/core": "^17.3.0"}}
	ng16 := &analysis.PackageJSON{Dependencies: map[string]string{"@angular/core": "~16.2.0"}}
	for _, tc := range []struct {
		name  string
		files map[string]string
		pkg   *analysis.PackageJSON
		words string
		want  string
	}{
		{"angular default 17", map[string]string{"angular.json": `{"projects": {"shop": {}}}`}, ng17, "ng build", "dist/shop/browser"},
		{"angular default 16", map[string]string{"angular.json": `{"projects": {"shop": {}}}`}, ng16, "ng build", "dist/shop"},
		{"angular application string", map[string]string{"angular.json": `{"projects": {"a": {"architect": {"build": {"builder": "@angular/build:application", "options": {"outputPath": "www"}}}}}}`}, ng17, "ng build --configuration production", "www/browser"},
		{"angular browser empty", map[string]string{"angular.json": `{"projects": {"a": {"architect": {"build": {"builder": "@angular-devkit/build-angular:application", "options": {"outputPath": {"base": "o", "browser": ""}}}}}}}`}, ng17, "ng build", "o"},
		{"angular per configuration", map[string]string{"angular.json": `{"projects": {"a": {"architect": {"build": {"options": {"outputPath": "x"}, "configurations": {"production": {"outputPath": "y"}}}}}}}`}, ng17, "ng build", ""},
		{"angular other builder", map[string]string{"angular.json": `{"projects": {"a": {"architect": {"build": {"builder": "@nx/angular:webpack-browser"}}}}}`}, ng17, "ng build", ""},
		{"angular project named", map[string]string{"angular.json": `{"projects": {"a": {}}}`}, ng17, "ng build a", ""},
		{"angular --output-path", map[string]string{"angular.json": `{"projects": {"a": {}}}`}, ng17, "ng build --output-path=x", ""},
		{"angular no angular.json", nil, ng17, "ng build", ""},
		{"angular bad json", map[string]string{"angular.json": `{`}, ng17, "ng build", ""},
		{"vite", nil, nil, "vite build", "dist"},
		{"vite outDir", nil, nil, "vite build --outDir=./site", "site"},
		{"vite config", map[string]string{"vite.config.js": "export default {build: {outDir: 'x'}}"}, nil, "vite build", ""},
		{"vite outside", nil, nil, "vite build --outDir ../x", ""},
		{"cra", nil, nil, "react-scripts build", "build"},
		{"cra BUILD_PATH", map[string]string{".env.production": "BUILD_PATH=out"}, nil, "react-scripts build", ""},
		{"vue cli", nil, nil, "vue-cli-service build --dest web", "web"},
		{"vue cli config", map[string]string{"vue.config.js": "module.exports = {outputDir: 'x'}"}, nil, "vue-cli-service build", ""},
		{"not a build", nil, nil, "vite preview", ""},
		{"other tool", nil, nil, "webpack build", ""},
	} {
		dir := t.TempDir()
		for name, text := range tc.files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		pkg := tc.pkg
		if pkg == nil {
			pkg = &analysis.PackageJSON{}
		}
		if got := staticOutDir(dir, pkg, strings.Fields(tc.words)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
