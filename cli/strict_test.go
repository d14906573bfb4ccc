package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"herald/config"
)

func TestExtraArgumentsAreUsageErrors(t *testing.T) {
	cfg := writeConfig(t, t.TempDir(), inspectConfig)
	for _, args := range [][]string{
		{"run", "-config", cfg, "other.yaml"},
		{"once", "other.yaml", "-config", cfg},
		{"check", "-config", cfg, "other.yaml"},
		{"status", "-config", cfg, "x"},
		{"export", "-config", cfg, "x"},
		{"version", "x"},
		{"import", "-config", cfg, "a.opml", "b.opml"},
		{"summarize", "testdata/council.txt", "testdata/marathon.html"},
		{"feeds", "add", "-config", cfg, "https://a.example/rss", "https://b.example/rss"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errOut := herald(t, args...)
			if code != 2 || !strings.Contains(errOut, "unexpected argument") || !strings.Contains(errOut, "usage: herald "+args[0]) {
				t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
			}
			if out != "" {
				t.Errorf("it ran: %s", out)
			}
		})
	}
}

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		pos       string
		limit     int
		json, sub bool
	}{
		{args: []string{"grain", "-limit", "1"}, pos: "grain", limit: 1},
		{args: []string{"-json", "grain", "-limit=3", "sea"}, pos: "grain|sea", limit: 3, json: true},
		{args: []string{"grain", "--", "-limit", "1"}, pos: "grain|-limit|1", limit: 10},
		{args: []string{"--", "-sport"}, pos: "-sport", limit: 10},
		{args: []string{"-config", "--", "grain"}, pos: "grain", limit: 10}, // "--" as a flag's value
		{args: []string{"add", "-limit", "2", "x"}, pos: "add|-limit|2|x", limit: 10, sub: true},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		limit := fs.Int("limit", 10, "")
		js := fs.Bool("json", false, "")
		fs.String("config", "", "")
		pos, err := parseArgs(fs, tc.args, tc.sub)
		if err != nil || strings.Join(pos, "|") != tc.pos || *limit != tc.limit || *js != tc.json {
			t.Errorf("%q: positional %q limit %d json %v (%v); want %q %d %v", tc.args, pos, *limit, *js, err, tc.pos, tc.limit, tc.json)
		}
	}
}

func TestFlagsAfterPositionals(t *testing.T) {
	cfg := writeConfig(t, t.TempDir(), inspectConfig)
	code, out, errOut := herald(t, "match", "testdata/council.txt", "-json", "-config", cfg)
	if code != 0 || !strings.HasPrefix(out, `{"title":`) {
		t.Errorf("match PATH -json: exit %d\n%s%s", code, out, errOut)
	}
	code, _, errOut = herald(t, "search", "grain", "-limit", "0", "-config", cfg)
	if code != 2 || !strings.Contains(errOut, "-limit 0") {
		t.Errorf("search grain -limit 0: exit %d %s", code, errOut)
	}

	// A search with flags after the query, and one whose query starts with -.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "wire.xml"), []byte(e2eFeed), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg = writeConfig(t, dir, "feeds:\n  - name: test-wire\n    url: wire.xml\n    backfill: all\n")
	if code, _, errOut := herald(t, "once", "-config", cfg); code != 0 {
		t.Fatalf("once: exit %d: %s", code, errOut)
	}
	code, all, errOut := herald(t, "search", "-config", cfg, "council OR marathon")
	if code != 0 || strings.Count(all, "\n   http") < 2 || !strings.Contains(all, "arathon") {
		t.Fatalf("search council OR marathon: exit %d, want at least 2 results\n%s%s", code, all, errOut)
	}
	code, out, errOut = herald(t, "search", "council OR marathon", "-limit", "1", "-config", cfg)
	if code != 0 || strings.Count(out, "\n   http") != 1 || !strings.HasPrefix(all, strings.SplitN(out, "\n", 2)[0]) {
		t.Errorf("search QUERY -limit 1: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = herald(t, "search", "-config", cfg, "--", "-runners", "(council OR marathon)")
	if code != 0 || strings.Contains(out, "arathon") || out == "" {
		t.Errorf("search -- -runners (council OR marathon): exit %d\n%s%s", code, out, errOut)
	}
}

func TestURLRuleIsTheSameEverywhere(t *testing.T) {
	srv := feedsSite(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "feeds:\n  - name: a\n    url: ' HTTPS://A.Example/rss '\nwatchers:\n  allow_private: true\n")
	if code, out, errOut := herald(t, "check", "-config", cfg); code != 0 {
		t.Fatalf("check: %d %s%s", code, out, errOut)
	}
	// The same URL in another case is the same feed.
	upper := "  " + strings.Replace(srv.URL, "http://", "HTTP://", 1) + "/feed/1.xml "
	code, out, errOut := herald(t, "feeds", "add", "-config", cfg, upper)
	if code != 0 {
		t.Fatalf("feeds add %q: exit %d %s%s", upper, code, out, errOut)
	}
	if !strings.Contains(mustRead(t, cfg), "    url: "+srv.URL+"/feed/1.xml\n") {
		t.Errorf("the URL was not written trimmed and in lower case:\n%s", mustRead(t, cfg))
	}
	if code, _, errOut := herald(t, "feeds", "add", "-config", cfg, srv.URL+"/feed/1.xml"); code != 1 || !strings.Contains(errOut, "already the feed") {
		t.Errorf("the same URL again: exit %d %s", code, errOut)
	}

	// import and import -dry-run agree, URL by URL.
	opml := filepath.Join(dir, "list.opml")
	body := fmt.Sprintf(`<opml version="2.0"><body>
<outline text="known" xmlUrl="https://a.example/RSS"/>
<outline text="same host, other case" xmlUrl=" HTTPS://A.EXAMPLE/rss "/>
<outline text="new" xmlUrl=" %s/feed/2.xml"/>
<outline text="ftp" xmlUrl="FTP://x.example/"/>
</body></opml>`, strings.ToUpper(srv.URL[:4])+srv.URL[4:])
	if err := os.WriteFile(opml, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	code, dry, dryErr := herald(t, "import", "-config", cfg, "-dry-run", opml)
	if code != 0 {
		t.Fatalf("dry run: %d %s", code, dryErr)
	}
	code, real, realErr := herald(t, "import", "-config", cfg, opml)
	if code != 0 {
		t.Fatalf("import: %d %s", code, realErr)
	}
	if dryErr != realErr || !strings.Contains(dry, "would add") || strings.Count(dry, "would add") != 2 {
		t.Errorf("dry run and import disagree:\n%s%s\n---\n%s%s", dry, dryErr, real, realErr)
	}
	if !strings.Contains(real, "imported 2 feeds") || !strings.Contains(realErr, `skipped "same host, other case": already the feed "a"`) || !strings.Contains(realErr, `skipped "ftp": not an http(s) URL`) {
		t.Errorf("import:\n%s%s", real, realErr)
	}
	if _, err := config.Load(cfg, func(string) string { return "" }); err != nil {
		t.Error(err)
	}
}

// The dry run refuses what the import would refuse: here a result that
// does not load.
func TestImportDryRunChecksTheResultLoads(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "feeds: [{name: a, url: 'https://a.example/rss'}]\n")
	opml := filepath.Join(dir, "list.opml")
	if err := os.WriteFile(opml, []byte(`<opml version="2.0"><body><outline text="b" xmlUrl="https://b.example/rss"/></body></opml>`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"import", "-dry-run", "-config", cfg, opml}, {"import", "-config", cfg, opml}} {
		if code, _, errOut := herald(t, args...); code != 1 || !strings.Contains(errOut, "flow list") {
			t.Errorf("%v: exit %d %s", args, code, errOut)
		}
	}
}

func TestMatchFeedFlag(t *testing.T) {
	dir := t.TempDir()
	article, err := os.ReadFile("testdata/council.txt")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "wire.txt"), article, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, dir, `feeds:
  - name: wire
    url: wire.txt
    tags: [europe]
  - name: other
    url: https://other.example/rss
rules:
  - name: only-wire
    query: council
    feeds: [wire]
  - name: by-feed
    query: feed:wire council
  - name: by-tag
    query: tag:europe council
`)
	run := func(stdin string, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := Main(context.Background(), args, Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut, Now: func() time.Time { return now }})
		return code, out.String(), errOut.String()
	}
	all := []string{"only-wire", "by-feed", "by-tag"}
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		match bool
	}{
		{"the feed's own file", "", []string{"match", "-config", cfg, filepath.Join(dir, "wire.txt")}, true},
		{"the same text elsewhere", "", []string{"match", "-config", cfg, "testdata/council.txt"}, false},
		{"stdin", string(article), []string{"match", "-config", cfg, "-"}, false},
		{"stdin as the feed", string(article), []string{"match", "-config", cfg, "-feed", "wire", "-"}, true},
		{"another feed", "", []string{"match", "-config", cfg, "-feed", "other", filepath.Join(dir, "wire.txt")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(tc.stdin, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d %s", code, errOut)
			}
			for _, r := range all {
				if got := strings.Contains(out, "✓ "+r+":"); got != tc.match {
					t.Errorf("rule %s matched: %v, want %v\n%s", r, got, tc.match, out)
				}
			}
		})
	}
	code, _, errOut := run("", "match", "-config", cfg, "-feed", "wir", "testdata/council.txt")
	if code != 2 || !strings.Contains(errOut, `-feed "wir": no feed has that name`) || !strings.Contains(errOut, `did you mean "wire"?`) {
		t.Errorf("unknown -feed: exit %d %s", code, errOut)
	}
	code, _, errOut = run("", "summarize", "-config", cfg, "-feed", "nope", "testdata/council.txt")
	if code != 2 || !strings.Contains(errOut, `-feed "nope"`) {
		t.Errorf("summarize unknown -feed: exit %d %s", code, errOut)
	}
}

func TestInputLimits(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, inspectConfig+"watchers:\n  max_body: 64KiB\n")
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 32<<10)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	big := bytes.Repeat([]byte("Ministers met in Brussels. "), 4<<10) // 108 KiB of text
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	randomFile, bigFile := write("random.txt", random), write("big.txt", big)
	for _, cmd := range []string{"match", "summarize"} {
		for _, tc := range []struct {
			name, path, stdin, want string
		}{
			{"binary file", randomFile, "", randomFile + " is not text"},
			{"binary stdin", "-", string(random), "stdin is not text"},
			{"big file", bigFile, "", bigFile + " is larger than watchers.max_body (65536 bytes)"},
			{"big stdin", "-", string(big), "stdin is larger than watchers.max_body (65536 bytes)"},
		} {
			t.Run(cmd+"/"+tc.name, func(t *testing.T) {
				var out, errOut bytes.Buffer
				stdin := &countingReader{r: strings.NewReader(tc.stdin)}
				code := Main(context.Background(), []string{cmd, "-config", cfg, tc.path}, Env{Stdin: stdin, Stdout: &out, Stderr: &errOut})
				if code != 1 || !strings.Contains(errOut.String(), tc.want) || out.Len() > 0 {
					t.Errorf("exit %d\nstdout: %s\nstderr: %s\nwant %q", code, out.String(), errOut.String(), tc.want)
				}
				if stdin.n > 64<<10+1 {
					t.Errorf("read %d bytes of stdin, more than the limit needs", stdin.n)
				}
			})
		}
	}
}

type countingReader struct {
	r interface{ Read([]byte) (int, error) }
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestOnceSaysWhatItHolds(t *testing.T) {
	srv := newFeedServer(t)
	cfg := writeConfig(t, t.TempDir(), fmt.Sprintf(`feeds:
  - name: test-wire
    url: %s/feed.xml
entities:
  - id: nuc
    name: NATO-Ukraine Council
rules:
  - name: nuc
    query: '@nuc'
    notify: [console]
    digest: daily 08:00
`, srv.URL))
	code, out, errOut := herald(t, "once", "-config", cfg)
	if code != 0 {
		t.Fatalf("exit %d %s", code, errOut)
	}
	if out != "" {
		t.Errorf("a held alert was sent early:\n%s", out)
	}
	if !strings.Contains(errOut, "herald once: 1 alert held for a digest or a mute, the first due 20 Nov 08:00 UTC; once does not send them early") {
		t.Errorf("stderr:\n%s", errOut)
	}
}

func TestFeedsShowsTheAdviceAndAddTalksAboutAdding(t *testing.T) {
	srv := newFeedServer(t)
	cfg := writeConfig(t, t.TempDir(), fmt.Sprintf("feeds:\n  - name: broken\n    url: %s/broken.xml\nwatchers:\n  allow_private: true\n", srv.URL))
	herald(t, "once", "-config", cfg)
	_, out, _ := herald(t, "feeds", "-config", cfg)
	if !strings.Contains(out, "(1 polls): HTTP 500") || strings.Contains(out, "watchers:") || strings.Contains(out, `feed "broken"`) {
		t.Errorf("herald feeds:\n%s", out)
	}
	code, _, errOut := herald(t, "feeds", "add", "-config", cfg, srv.URL+"/page.html")
	if code != 1 || !strings.HasPrefix(errOut, "herald feeds add: cannot add "+srv.URL+"/page.html as a feed: ") || strings.Contains(errOut, "watchers:") || strings.Contains(errOut, "parse ") {
		t.Errorf("feeds add of a page: exit %d %s", code, errOut)
	}
}

// /feeds add in chat follows the same URL rule as the command line.
func TestChatFeedsAddURLRule(t *testing.T) {
	srv := feedsSite(t)
	cfg := writeConfig(t, t.TempDir(), "feeds: []\nwatchers:\n  allow_private: true\n")
	ed := &configEditor{c: &cmdContext{env: Env{Getenv: func(string) string { return "" }, Now: func() time.Time { return now }}, configPath: cfg}}
	added, err := ed.AddFeed(t.Context(), " "+strings.Replace(srv.URL, "http://", "HTTP://", 1)+"/feed/3.xml ", "")
	if err != nil {
		t.Fatal(err)
	}
	if added.URL != srv.URL+"/feed/3.xml" || !strings.Contains(mustRead(t, cfg), "url: "+srv.URL+"/feed/3.xml\n") {
		t.Errorf("added %+v\n%s", added, mustRead(t, cfg))
	}
	if _, err := ed.AddFeed(t.Context(), "ftp://x.example/feed", ""); err == nil || !strings.Contains(err.Error(), `cannot add "ftp://x.example/feed" as a feed: not an http(s) URL`) {
		t.Errorf("an ftp URL: %v", err)
	}
}

func TestOneLineCutsBetweenCharacters(t *testing.T) {
	got := oneLine("a\n  "+strings.Repeat("é", 10), 6) // "a éé" is 6 bytes, the next é would split
	if got != "a éé…" {
		t.Errorf("oneLine = %q", got)
	}
	if got := oneLine("ab"+strings.Repeat("é", 3), 3); got != "ab…" {
		t.Errorf("oneLine = %q", got)
	}
}
