package cli

import (
	"strings"
	"testing"
)

// A feed file that is missing is that feed failing: every command still
// runs, the other feeds are polled, status shows it, and check warns with
// its line and column.
func TestMissingFeedFileIsThatFeedFailing(t *testing.T) {
	srv := newFeedServer(t)
	cfg := writeConfig(t, t.TempDir(), "feeds:\n  - name: test-wire\n    url: "+srv.URL+"/feed.xml\n  - name: gone\n    url: missing.xml\n")
	code, out, errOut := herald(t, "check", "-config", cfg)
	if code != 0 || !strings.Contains(errOut, ":5:10: feed \"gone\": feed file ") || !strings.Contains(errOut, "(warning)") {
		t.Errorf("check exit %d\nstdout: %s\nstderr: %s\nwant exit 0 and a warning at 5:10", code, out, errOut)
	}
	if code, _, logs := herald(t, "once", "-config", cfg); code != 0 {
		t.Fatalf("once exit %d: %s", code, logs)
	}
	code, out, errOut = herald(t, "status", "-config", cfg)
	if code != 0 {
		t.Fatalf("status exit %d: %s", code, errOut)
	}
	for _, want := range []string{"1 ok, 1 failing", "gone — failing", "missing.xml"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	for _, cmd := range [][]string{{"feeds"}, {"search", "council"}, {"export"}} {
		if code, _, errOut := herald(t, append([]string{cmd[0], "-config", cfg}, cmd[1:]...)...); code != 0 {
			t.Errorf("%s exit %d: %s", cmd[0], code, errOut)
		}
	}
}
