package main

// The examples of README.md and docs/*.md run as written.
//
// Every fenced block names its language. The rule for each:
//
//   - yaml: a config, or part of one. It is merged into the repository's
//     config.yaml (each top-level key of the block replaces the default's, or
//     is added) and must load with the real loader, as `herald check` loads
//     it. A block that is a whole config loads as itself. The secrets the
//     docs export are set (docsEnv); any other ${VAR} is unset.
//   - sh: run with `sh -eu` from the root of a fresh copy of the repository,
//     offline, with `herald` the binary built from this tree first on PATH.
//     `go run .` is read as `herald`. Lines that run `go test`, `go build`
//     or `.ci/run` are skipped (they would run the test suite inside itself,
//     or build what is built already).
//   - anything else (text, json, go …) is shown, not run.
//
// A fence without a language is an error: say text when a block is not
// meant to run.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"herald/config"
)

// docsEnv is the environment yaml blocks load with: the secrets the docs
// tell the reader to export, with values of the right shape.
var docsEnv = map[string]string{
	"TELEGRAM_TOKEN":          "123456789:docs-example-token",
	"TELEGRAM_WEBHOOK_SECRET": "docs-example-secret",
	"SLACK_BOT_TOKEN":         "xoxb-docs-example",
	"SLACK_APP_TOKEN":         "xapp-docs-example",
	"SLACK_SIGNING_SECRET":    "docs-example-signing-secret",
	"HERALD_WEB_TOKEN":        "docs-example-web-token",
}

// docBlock is one fenced block of a Markdown file.
type docBlock struct {
	file string
	line int // of the opening fence
	lang string
	text string
}

var fence = regexp.MustCompile("^( *)(```+)(.*)$")

// docBlocks returns the fenced blocks of a Markdown file, their
// indentation (a block inside a list item) removed.
func docBlocks(t *testing.T, path string) []docBlock {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var (
		out    []docBlock
		cur    *docBlock
		indent int
		ticks  string
		body   strings.Builder
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		m := fence.FindStringSubmatch(line)
		switch {
		case cur == nil && m != nil:
			cur = &docBlock{file: path, line: n, lang: strings.TrimSpace(m[3])}
			indent, ticks = len(m[1]), m[2]
			body.Reset()
		case cur != nil && m != nil && m[2] == ticks && strings.TrimSpace(m[3]) == "":
			cur.text = body.String()
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			if len(line) >= indent && strings.TrimSpace(line[:indent]) == "" {
				line = line[indent:]
			}
			body.WriteString(line + "\n")
		}
	}
	if cur != nil {
		t.Errorf("%s:%d: the block is never closed", path, cur.line)
	}
	return out
}

func docFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"README.md"}, files...)
}

func TestDocsExamples(t *testing.T) {
	def, err := os.ReadFile("config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var bin struct {
		once sync.Once
		path string
		err  error
	}
	build := func(t *testing.T) string {
		t.Helper()
		if testing.Short() {
			t.Skip("builds herald")
		}
		bin.once.Do(func() {
			dir, err := os.MkdirTemp("", "herald-docs-bin-")
			if err != nil {
				bin.err = err
				return
			}
			bin.path = filepath.Join(dir, "herald")
			if out, err := exec.Command("go", "build", "-o", bin.path, ".").CombinedOutput(); err != nil {
				bin.err = fmt.Errorf("go build: %v\n%s", err, out)
			}
		})
		if bin.err != nil {
			t.Fatal(bin.err)
		}
		return bin.path
	}
	t.Cleanup(func() {
		if bin.path != "" {
			os.RemoveAll(filepath.Dir(bin.path))
		}
	})
	ran := map[string]int{}
	for _, file := range docFiles(t) {
		for _, b := range docBlocks(t, file) {
			name := fmt.Sprintf("%s:%d", b.file, b.line)
			switch b.lang {
			case "":
				t.Errorf("%s: a fenced block without a language; write ```text for a block not meant to run", name)
			case "yaml":
				ran["yaml"]++
				t.Run(name, func(t *testing.T) { checkYAMLBlock(t, def, b) })
			case "sh":
				ran["sh"]++
				t.Run(name, func(t *testing.T) { runShBlock(t, build(t), b) })
			}
		}
	}
	if ran["yaml"] == 0 || ran["sh"] == 0 {
		t.Errorf("found %d yaml and %d sh blocks; the README has both", ran["yaml"], ran["sh"])
	}
}

// checkYAMLBlock loads a yaml block merged into the default config.
func checkYAMLBlock(t *testing.T, def []byte, b docBlock) {
	merged, err := mergeConfig(def, []byte(b.text))
	if err != nil {
		t.Fatalf("%s:%d: %v\n%s", b.file, b.line, err, b.text)
	}
	dir := copyRepo(t)
	path := filepath.Join(dir, "config.yaml")
	if _, err := config.Parse(path, merged, func(k string) string { return docsEnv[k] }); err != nil {
		t.Errorf("%s:%d: the example does not load (merged into config.yaml):\n%v\n--- the block\n%s--- as loaded\n%s", b.file, b.line, err, b.text, merged)
	}
}

// mergeConfig puts each top-level key of block into the default config,
// replacing the default's value for that key.
func mergeConfig(def, block []byte) ([]byte, error) {
	var base, over yaml.Node
	if err := yaml.Unmarshal(def, &base); err != nil {
		return nil, fmt.Errorf("the default config: %w", err)
	}
	if err := yaml.Unmarshal(block, &over); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	if len(over.Content) != 1 || over.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("a yaml block is config keys (a mapping), merged into config.yaml; write an illustration as text")
	}
	root, add := base.Content[0], over.Content[0]
	for i := 0; i+1 < len(add.Content); i += 2 {
		k, v := add.Content[i], add.Content[i+1]
		replaced := false
		for j := 0; j+1 < len(root.Content); j += 2 {
			if root.Content[j].Value == k.Value {
				root.Content[j+1], replaced = v, true
			}
		}
		if !replaced {
			root.Content = append(root.Content, k, v)
		}
	}
	return yaml.Marshal(&base)
}

// skipped are the commands sh blocks do not run (see the package comment).
var skipped = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(go\s+test|go\s+build|(bash\s+|\./)?\.ci/run)\b`)

// runShBlock runs a sh block in a fresh copy of the repository.
func runShBlock(t *testing.T, bin string, b docBlock) {
	var script strings.Builder
	for line := range strings.SplitSeq(b.text, "\n") {
		if skipped.MatchString(line) {
			line = ": skipped: " + strings.TrimSpace(line)
		}
		line = strings.ReplaceAll(line, "go run . ", "herald ")
		script.WriteString(line + "\n")
	}
	dir := copyRepo(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-eu", "-c", script.String())
	cmd.Dir = dir
	home := t.TempDir()
	cmd.Env = []string{
		"PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + home,
		"TMPDIR=" + home,
		"LANG=C.UTF-8",
		// Offline: any HTTP a block tried would go to a closed port.
		"HTTP_PROXY=http://127.0.0.1:9", "HTTPS_PROXY=http://127.0.0.1:9",
		"http_proxy=http://127.0.0.1:9", "https_proxy=http://127.0.0.1:9",
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("%s:%d: the sh block fails: %v\n--- the block\n%s--- its output\n%s", b.file, b.line, err, script.String(), out)
	}
}

// copyRepo copies what the examples use (the default config, examples/,
// docs/ and the README) to a temp dir.
func copyRepo(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	for _, root := range []string{"config.yaml", "README.md", "examples", "docs"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return os.MkdirAll(filepath.Join(dst, p), 0o755)
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, p), data, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// The rule is strict: a wrong example fails.
func TestDocsExamplesCatchMistakes(t *testing.T) {
	def, err := os.ReadFile("config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		"rules:\n  - name: r\n    query: 'feed:bbc-world grain'\n", // no such feed in the default config
		"rules:\n  - name: r\n    query: '\"black sea'\n",          // unterminated quote
		"query: '@nuc'\nquery: 'grain'\n",                          // not config keys
		"feedz: []\n",                                              // unknown key
	} {
		merged, err := mergeConfig(def, []byte(bad))
		if err == nil {
			_, err = config.Parse("config.yaml", merged, func(k string) string { return docsEnv[k] })
		}
		if err == nil {
			t.Errorf("a wrong yaml example passes:\n%s", bad)
		}
	}
	// Fences: a block without a language is found as such.
	p := filepath.Join(t.TempDir(), "x.md")
	if err := os.WriteFile(p, []byte("a\n\n```\nplain\n```\n\n  ```sh\n  herald check\n  ```\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bs := docBlocks(t, p)
	if len(bs) != 2 || bs[0].lang != "" || bs[1].lang != "sh" || bs[1].text != "herald check\n" || bs[1].line != 7 {
		t.Errorf("blocks: %+v", bs)
	}
	if !skipped.MatchString("go test ./...   # x") || !skipped.MatchString("bash .ci/run") || skipped.MatchString("herald check") {
		t.Error("the skip rule is off")
	}
}

// laterDocs are written by other changes; the README links them already.
var laterDocs = map[string]bool{
	"docs/engine.md": true, "docs/feeds.md": true, "docs/alerts.md": true,
	"docs/quotes.md": true, "docs/watches.md": true, "docs/web.md": true,
}

var (
	mdLink    = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	mdHeading = regexp.MustCompile(`(?m)^#+ (.+)$`)
	htmlID    = regexp.MustCompile(`<a id="([^"]+)">`)
)

// anchors are the link targets of a Markdown file: its headings as GitHub
// names them, and explicit ids.
func anchors(text string) map[string]bool {
	out := map[string]bool{}
	for _, m := range mdHeading.FindAllStringSubmatch(text, -1) {
		var b strings.Builder
		for _, r := range strings.ToLower(m[1]) {
			switch {
			case r == ' ' || r == '-':
				b.WriteRune('-')
			case r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
				b.WriteRune(r)
			}
		}
		out[b.String()] = true
	}
	for _, m := range htmlID.FindAllStringSubmatch(text, -1) {
		out[m[1]] = true
	}
	return out
}

// Every relative link of the README and docs/ leads to a file of the
// repository (or one of laterDocs), and to a heading of it that exists.
func TestDocsLinks(t *testing.T) {
	for _, file := range docFiles(t) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mdLink.FindAllStringSubmatch(string(data), -1) {
			link := m[1]
			if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
				continue
			}
			target, anchor, _ := strings.Cut(link, "#")
			path := file
			if target != "" {
				path = filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(file), target)))
			}
			if laterDocs[path] {
				continue
			}
			text, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("%s: the link %s leads nowhere: %v", file, link, err)
				continue
			}
			if anchor != "" && !anchors(string(text))[anchor] {
				t.Errorf("%s: the link %s names no heading of %s", file, link, path)
			}
		}
	}
}
