package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const grainItem = `<?xml version="1.0"?><rss version="2.0"><channel><title>Ports</title>
<item><title>Black Sea grain exports climb</title><link>https://ports.example/1</link><guid>p1</guid>
<pubDate>Wed, 18 Nov 2026 10:00:00 +0000</pubDate><description>Wheat shipments from the Black Sea rose again.</description></item>
</channel></rss>`

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool, dump func() string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s\n%s", what, dump())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRunReloadsConfigOnEdit(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ports.xml"), []byte(grainItem), 0o644); err != nil {
		t.Fatal(err)
	}
	first := "rules:\n  - name: nuc\n    query: council\n    notify: [console]\n"
	cfg := writeConfig(t, dir, first)

	var out, logs syncBuffer
	cancel, done := startRun(t, cfg, Env{Now: func() time.Time { return now }}, &out, &logs)
	dump := func() string { return "stdout:\n" + out.String() + "\nlogs:\n" + logs.String() }

	// A bad edit is refused with its position; herald keeps running.
	if err := os.WriteFile(cfg, []byte(first+"feedz: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the refusal", func() bool { return strings.Contains(logs.String(), "config reload refused") }, dump)
	if !strings.Contains(logs.String(), cfg+`:5:1: top level: unknown key \"feedz\"`) {
		t.Errorf("the refusal does not name FILE:LINE:COL and the problem:\n%s", logs.String())
	}

	// A good edit adds a feed and a rule; the new feed is polled at once and
	// its item matched by the new rule.
	second := `feeds:
  - name: ports
    url: ports.xml
    backfill: all
rules:
  - name: nuc
    query: council
    notify: [console]
  - name: grain
    query: '"black sea" (grain OR wheat)'
    notify: [console]
`
	if err := os.WriteFile(cfg, []byte(second), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the alert from the reloaded config", func() bool { return strings.Contains(out.String(), "■ Black Sea grain exports climb") }, dump)
	if !strings.Contains(logs.String(), "config reloaded") {
		t.Errorf("no reload line in logs:\n%s", logs.String())
	}

	// SIGHUP reloads too. run has been catching SIGHUP since before Ready.
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the SIGHUP reload", func() bool {
		return strings.Contains(logs.String(), "SIGHUP: reloading the config") && strings.Count(logs.String(), "config reloaded") >= 2
	}, dump)
	if strings.Contains(logs.String(), "restart herald") {
		t.Errorf("a restart was asked for, though only rules and feeds changed:\n%s", logs.String())
	}

	// A setting read at start only is applied at the next start, and the
	// log says so.
	if err := os.WriteFile(cfg, []byte(second+"watchers:\n  per_host: 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the restart warning", func() bool {
		return strings.Contains(logs.String(), "apply only at start; restart herald to apply them") && strings.Contains(logs.String(), "keys=watchers")
	}, dump)
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d", code)
	}
}

func TestReloadKeepsOldRulesOnError(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "rules:\n  - name: a\n    query: alpha\n")
	var logs syncBuffer
	c := &cmdContext{env: Env{Stdout: &logs, Stderr: &logs, Getenv: func(string) string { return "" }, Now: time.Now}, configPath: cfg}
	conf, ok := c.loadConfig()
	if !ok {
		t.Fatal(logs.String())
	}
	s, err := start(t.Context(), c, conf, newLogger(&logs, conf))
	if err != nil {
		t.Fatal(err)
	}
	defer s.db.Close()
	before := s.pipeline.Topics()
	writeConfig(t, dir, "rules:\n  - name: a\n    query: '(alpha'\n")
	s.reload(c)
	if s.pipeline.Topics() != before {
		t.Fatal("a bad config replaced the rules in force")
	}
	if !strings.Contains(logs.String(), cfg+":3:13:") {
		t.Errorf("refusal lacks the query position:\n%s", logs.String())
	}
	writeConfig(t, dir, "rules:\n  - name: a\n    query: alpha\n  - name: b\n    query: beta\n")
	s.reload(c)
	if got := s.pipeline.Topics().Set.Len(); got != 2 {
		t.Errorf("after a good reload %d rules, want 2", got)
	}
}
