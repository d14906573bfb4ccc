package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
)

// TestOnceWritesAMovedFeedsURL: a feed that answers with a 301 is polled at
// its new address, which herald writes into the config, so that the next
// run goes there directly.
func TestOnceWritesAMovedFeedsURL(t *testing.T) {
	feeds := newFeedServer(t)
	var oldHits atomic.Int32
	old := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		oldHits.Add(1)
		http.Redirect(w, r, feeds.URL+"/feed.xml", http.StatusMovedPermanently)
	}))
	t.Cleanup(old.Close)
	cfg := writeConfig(t, t.TempDir(), fmt.Sprintf("feeds:\n  - name: wire\n    url: %s/rss   # moved in 2026\nrules:\n  - name: nuc\n    query: council\n    notify: [console]\n", old.URL))
	code, out, errOut := herald(t, "once", "-config", cfg)
	if code != 0 || !strings.Contains(out, "NATO-Ukraine Council") {
		t.Fatalf("once: exit %d\n%s%s", code, out, errOut)
	}
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("    url: %s/feed.xml   # moved in 2026\n", feeds.URL); !strings.Contains(string(data), want) {
		t.Errorf("config after the move:\n%s\nwant the line %q", data, want)
	}
	if !strings.Contains(errOut, "its url in the config is updated") {
		t.Errorf("no log line about the config:\n%s", errOut)
	}
	if code, _, errOut := herald(t, "once", "-config", cfg); code != 0 {
		t.Fatalf("second once: exit %d\n%s", code, errOut)
	}
	if n := oldHits.Load(); n != 1 {
		t.Errorf("the old address was asked %d times, want once", n)
	}
	feeds.mu.Lock()
	conditionals := feeds.conditionals
	feeds.mu.Unlock()
	if conditionals == 0 {
		t.Error("the second run did not poll the new address with the first run's validators")
	}
}
