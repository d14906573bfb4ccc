package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"herald/bot/telegram/telegramtest"
)

// TestKill9LosesNothing builds herald, lets `herald run` deliver a burst of
// alerts to a slow Telegram, kills it with SIGKILL halfway, and checks that
// `herald once` afterwards delivers the rest: every alert arrives, and at
// most one twice (the send in flight at the kill).
func TestKill9LosesNothing(t *testing.T) {
	dir, bin := buildHerald(t)

	const token = "123456:crash-test-token"
	const chat = int64(4242)
	fake := telegramtest.New(t, token)
	fake.AddChat(telegramtest.Chat{ID: chat})
	target, _ := url.Parse(fake.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/sendMessage") {
			time.Sleep(60 * time.Millisecond) // a slow platform: the kill lands mid-burst
		}
		proxy.ServeHTTP(w, r)
	}))
	defer slow.Close()

	const n = 40
	published := time.Now().Add(-time.Hour).UTC().Format(time.RFC1123Z)
	var items strings.Builder
	for i := range n {
		fmt.Fprintf(&items, "<item><title>Storm update %02d</title><link>https://wire.example/%d</link><guid>s%d</guid><pubDate>%s</pubDate><description>The storm reached the coast.</description></item>\n", i, i, i, published)
	}
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>%s</channel></rss>`, items.String())
	}))
	defer feed.Close()

	cfg := writeConfig(t, dir, fmt.Sprintf(`feeds:
  - name: wire
    url: %s
rules:
  - name: storm
    query: storm
    notify: ['telegram:%d']
telegram:
  token: ${HERALD_TEST_TOKEN}
  api_url: %s
  rate: {chat: off, group: off, global: off}
digest:
  threshold: 0
`, feed.URL, chat, slow.URL))
	env := append(os.Environ(), "HERALD_TEST_TOKEN="+token)

	run := exec.Command(bin, "run", "-config", cfg)
	run.Env = env
	var runLog strings.Builder
	run.Stdout, run.Stderr = &runLog, &runLog
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(fake.SentTo(chat)) < n/3 {
		if time.Now().After(deadline) {
			run.Process.Kill()
			t.Fatalf("herald run delivered %d alerts in 30 s\n%s", len(fake.SentTo(chat)), runLog.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := run.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	run.Wait()
	atKill := len(fake.SentTo(chat))
	if atKill >= n {
		t.Fatalf("all %d alerts were out before the kill; the test needs a slower platform", n)
	}

	once := exec.Command(bin, "once", "-config", cfg)
	once.Env = env
	if out, err := once.CombinedOutput(); err != nil {
		t.Fatalf("herald once after the kill: %v\n%s", err, out)
	}
	seen := map[string]int{}
	for _, m := range fake.SentTo(chat) {
		title, _, _ := strings.Cut(m.Text, "\n")
		seen[title]++
	}
	dups := 0
	for i := range n {
		title := fmt.Sprintf("Storm update %02d", i)
		switch c := seen[title]; {
		case c == 0:
			t.Errorf("%q was never delivered", title)
		case c > 1:
			dups += c - 1
		}
	}
	t.Logf("%d alerts: %d delivered before SIGKILL, %d after the restart, %d duplicates", n, atKill, len(fake.SentTo(chat))-atKill, dups)
	if dups > 1 {
		t.Errorf("%d duplicates; at most the one send in flight at the kill may repeat", dups)
	}
}

// TestSigtermWithSendInFlight stops herald run with SIGTERM while Telegram
// holds a send: herald must release it and exit 0 within 10 s, and the alert
// must still be queued for the next start.
func TestSigtermWithSendInFlight(t *testing.T) {
	dir, bin := buildHerald(t)
	const token = "123456:sigterm-test-token"
	const chat = int64(77)
	fake := telegramtest.New(t, token)
	fake.AddChat(telegramtest.Chat{ID: chat})
	target, _ := url.Parse(fake.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	inFlight := make(chan struct{}, 1)
	release := make(chan struct{})
	stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/sendMessage") {
			select {
			case inFlight <- struct{}{}:
			default:
			}
			select { // Telegram never answers this one
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer stuck.Close()
	defer close(release) // before Close, which waits for handlers
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>W</title><item><title>Storm warning for the coast</title><link>https://wire.example/s</link><guid>s</guid><pubDate>%s</pubDate></item></channel></rss>`,
			time.Now().Add(-time.Hour).UTC().Format(time.RFC1123Z))
	}))
	defer feed.Close()
	cfg := writeConfig(t, dir, fmt.Sprintf("feeds:\n  - name: wire\n    url: %s\nrules:\n  - name: storm\n    query: storm\n    notify: ['telegram:%d']\ntelegram:\n  token: %s\n  api_url: %s\n", feed.URL, chat, token, stuck.URL))

	run := exec.Command(bin, "run", "-config", cfg)
	var logs strings.Builder
	run.Stdout, run.Stderr = &logs, &logs
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-inFlight:
	case <-time.After(30 * time.Second):
		run.Process.Kill()
		t.Fatalf("no send reached Telegram\n%s", logs.String())
	}
	start := time.Now()
	run.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- run.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("herald run after SIGTERM: %v, want exit 0\n%s", err, logs.String())
		}
		t.Logf("stopped %s after SIGTERM with a send in flight", time.Since(start).Round(time.Millisecond))
	case <-time.After(10 * time.Second):
		run.Process.Kill()
		t.Fatalf("herald run still running 10 s after SIGTERM\n%s", logs.String())
	}
	if strings.Contains(logs.String(), token) {
		t.Errorf("the bot token is in the logs")
	}
	// The released alert is still queued: the next start sends it.
	once := exec.Command(bin, "once", "-config", cfg)
	once.Env = os.Environ()
	// Point this run at the fake directly, which answers.
	if err := os.WriteFile(cfg, []byte(strings.Replace(mustRead(t, cfg), stuck.URL, fake.URL, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := once.CombinedOutput(); err != nil {
		t.Fatalf("once: %v\n%s", err, out)
	}
	if got := fake.SentTo(chat); len(got) != 1 || !strings.HasPrefix(got[0].Text, "Storm warning for the coast") {
		t.Errorf("after the restart Telegram got %+v, want the released alert once", got)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// buildHerald builds the herald binary into a temp dir and returns the dir
// and the binary's path; it skips in -short mode or without a go command.
func buildHerald(t *testing.T) (dir, bin string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build herald with")
	}
	dir = t.TempDir()
	bin = filepath.Join(dir, "herald")
	if out, err := exec.Command(goBin, "build", "-o", bin, "herald").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir, bin
}
