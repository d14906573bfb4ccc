package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"herald/bot"
	"herald/news"
)

// fakeSender fails with err, and sends digests of n alerts.
type fakeSender struct{ err error }

func (f fakeSender) Send(ctx context.Context, a news.Alert) error { return f.err }

type fakeDigester struct{ fakeSender }

func (f fakeDigester) SendDigest(ctx context.Context, d news.Destination, as []news.Alert) (int, error) {
	return len(as), f.err
}

func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	return rec.Body.String()
}

func TestMetrics(t *testing.T) {
	m := New()
	m.Poll("ok", "", 120*time.Millisecond, 50)
	m.Poll("not_modified", "", 5*time.Millisecond, 0)
	m.Poll("error", "timeout", 30*time.Second, 0)
	m.Ingested(3, 1, 2, 800*time.Millisecond)
	m.Notice("dead")

	tg := m.Sender(news.Telegram, fakeSender{})
	if _, ok := tg.(bot.DigestSender); ok {
		t.Error("a plain sender became a DigestSender")
	}
	tg.Send(t.Context(), news.Alert{})
	m.Sender(news.Telegram, fakeSender{err: fmt.Errorf("blocked: %w", bot.ErrPermanent)}).Send(t.Context(), news.Alert{})
	sl := m.Sender(news.Slack, fakeDigester{fakeSender{err: errors.New("timeout")}})
	ds, ok := sl.(bot.DigestSender)
	if !ok {
		t.Fatal("a DigestSender lost SendDigest")
	}
	ds.SendDigest(t.Context(), news.Destination{}, make([]news.Alert, 4))
	m.Sender(news.Slack, fakeDigester{}).(bot.DigestSender).SendDigest(t.Context(), news.Destination{}, make([]news.Alert, 6))

	read := func(ctx context.Context) (Gauges, error) {
		return Gauges{Pending: 7, Feeds: map[news.Health]int{news.HealthOK: 9, news.HealthDead: 1}}, nil
	}
	out := scrape(t, m.Handler(read))
	for _, want := range []string{
		`herald_polls_total{outcome="ok"} 1`,
		`herald_polls_total{outcome="not_modified"} 1`,
		`herald_polls_total{outcome="error"} 1`,
		`herald_poll_errors_total{kind="timeout"} 1`,
		`herald_poll_duration_seconds_count 3`,
		`herald_poll_duration_seconds_bucket{le="0.25"} 2`,
		`herald_feed_items_total 50`,
		`herald_items_new_total 3`,
		`herald_matches_total 1`,
		`herald_alerts_queued_total 2`,
		`herald_poll_to_stored_seconds_count 1`,
		`herald_deliveries_total{outcome="sent",platform="telegram"} 1`,
		`herald_deliveries_total{outcome="failed",platform="telegram"} 1`,
		`herald_deliveries_total{outcome="retry",platform="slack"} 4`,
		`herald_deliveries_total{outcome="sent",platform="slack"} 6`,
		`herald_outbox_pending 7`,
		`herald_feeds{health="ok"} 9`,
		`herald_feeds{health="dead"} 1`,
		`herald_feeds{health="failing"} 0`,
		`herald_feed_notices_total{kind="dead"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestDeliveriesCutByShutdownAreNotCounted(t *testing.T) {
	m := New()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	m.Sender(news.Telegram, fakeSender{err: context.Canceled}).Send(ctx, news.Alert{})
	if out := scrape(t, m.Handler(nil)); strings.Contains(out, "herald_deliveries_total{") {
		t.Errorf("a send cut short by shutdown was counted:\n%s", out)
	}
}

func TestHealthHandler(t *testing.T) {
	now := time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)
	var beat time.Time
	var storeErr error
	h := HealthHandler(map[string]Check{
		"store":     func(context.Context) error { return storeErr },
		"poll_loop": Alive(func() time.Time { return beat }, time.Minute, func() time.Time { return now }),
	})
	get := func() (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
		body, _ := io.ReadAll(rec.Body)
		return rec.Code, string(body)
	}
	if code, body := get(); code != 503 || !strings.Contains(body, "the poll loop is not running") {
		t.Errorf("before the loop runs: %d %s", code, body)
	}
	beat = now.Add(-10 * time.Second)
	if code, body := get(); code != 200 || !strings.Contains(body, `"status":"ok"`) {
		t.Errorf("healthy: %d %s", code, body)
	}
	beat = now.Add(-5 * time.Minute)
	storeErr = errors.New("disk I/O error")
	code, body := get()
	if code != 503 || !strings.Contains(body, "not gone round for 5m0s") || !strings.Contains(body, "disk I/O error") {
		t.Errorf("stuck loop and broken store: %d %s", code, body)
	}
}

type fakeEditor struct {
	fakeDigester
	edited *string
}

func (f fakeEditor) Post(ctx context.Context, a news.Alert) (string, error) { return "7/1", f.err }

func (f fakeEditor) Edit(ctx context.Context, ref string, a news.Alert) error {
	*f.edited = ref
	return nil
}

// TestSenderKeepsEditing: the counting wrapper of an adapter that edits its
// messages still edits them, and counts its posts as deliveries.
func TestSenderKeepsEditing(t *testing.T) {
	m := New()
	var edited string
	ed, ok := m.Sender(news.Telegram, fakeEditor{edited: &edited}).(bot.Editor)
	if !ok {
		t.Fatal("an Editor lost Post and Edit")
	}
	if ref, err := ed.Post(t.Context(), news.Alert{}); ref != "7/1" || err != nil {
		t.Errorf("Post = %q, %v", ref, err)
	}
	if err := ed.Edit(t.Context(), "7/1", news.Alert{}); err != nil || edited != "7/1" {
		t.Errorf("Edit = %v, edited %q", err, edited)
	}
	if _, ok := m.Sender(news.Slack, fakeDigester{}).(bot.Editor); ok {
		t.Error("a DigestSender became an Editor")
	}
	if out := scrape(t, m.Handler(nil)); !strings.Contains(out, `herald_deliveries_total{outcome="sent",platform="telegram"} 1`) {
		t.Errorf("the post was not counted:\n%s", out)
	}
}
