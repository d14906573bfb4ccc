package bot_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"herald/bot"
	"herald/news"
	"herald/store"
)

// recorder is a platform that records what it was sent and fails as scripted.
type recorder struct {
	mu    sync.Mutex
	sent  []string
	fails []error // consumed one per Send; nil entries succeed
}

func (r *recorder) Send(_ context.Context, a news.Alert) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.fails) > 0 {
		err := r.fails[0]
		r.fails = r.fails[1:]
		if err != nil {
			return err
		}
	}
	r.sent = append(r.sent, a.Destination.String()+" "+a.Title)
	return nil
}

func openStore(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func queue(t *testing.T, db *store.DB, id string, dests ...string) {
	t.Helper()
	var alerts []news.Alert
	for _, d := range dests {
		dest, err := news.ParseDestination(d)
		if err != nil {
			t.Fatal(err)
		}
		alerts = append(alerts, news.Alert{Destination: dest, Rule: "r", Feed: "f", Title: "item " + id})
	}
	it := news.Item{Feed: "f", ID: id, Title: "item " + id}
	if _, _, err := db.AddItem(t.Context(), it, t0, []news.Match{{Rule: "r"}}, alerts); err != nil {
		t.Fatal(err)
	}
}

func TestFlushDeliversAndMarksSent(t *testing.T) {
	db := openStore(t)
	queue(t, db, "1", "console")
	queue(t, db, "2", "console", "telegram:42")
	con := &recorder{}
	now := t0
	d := bot.NewDispatcher(db, map[news.Platform]bot.Sender{news.Console: con}, func() time.Time { return now }, nil, 1)

	st, err := d.Flush(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 2 || st.Waiting != 1 || st.Failed != 0 {
		t.Errorf("stats %+v, want 2 sent, 1 waiting (no telegram adapter)", st)
	}
	if fmt.Sprint(con.sent) != "[console item 1 console item 2]" {
		t.Errorf("sent %v, want both console alerts in order", con.sent)
	}
	// A second flush sends nothing again; the telegram row still waits.
	st, _ = d.Flush(t.Context())
	if st.Sent != 0 || st.Waiting != 1 {
		t.Errorf("second flush %+v, want nothing sent and 1 waiting", st)
	}
	pending, _ := db.Pending(t.Context(), now, 10)
	if len(pending) != 1 || pending[0].Destination.Platform != news.Telegram {
		t.Errorf("pending after flush = %+v, want only the telegram row", pending)
	}
}

func TestFlushRetriesTransientAndKillsPermanent(t *testing.T) {
	db := openStore(t)
	queue(t, db, "1", "console")
	queue(t, db, "2", "slack:C1")
	now := t0
	con := &recorder{fails: []error{errors.New("connection reset")}}
	sl := &recorder{fails: []error{fmt.Errorf("slack: channel_not_found: %w", bot.ErrPermanent)}}
	d := bot.NewDispatcher(db, map[news.Platform]bot.Sender{news.Console: con, news.Slack: sl}, func() time.Time { return now }, nil, 1)

	st, err := d.Flush(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.Failed != 2 || st.Sent != 0 {
		t.Fatalf("stats %+v, want 2 failed", st)
	}
	// Not due again until the backoff has passed.
	if st, _ := d.Flush(t.Context()); st.Sent != 0 || st.Failed != 0 {
		t.Errorf("flush during backoff %+v, want nothing tried", st)
	}
	now = now.Add(bot.MinBackoff * 2)
	st, _ = d.Flush(t.Context())
	if st.Sent != 1 || len(con.sent) != 1 {
		t.Errorf("after backoff %+v (console sent %v), want the console alert delivered", st, con.sent)
	}
	if len(sl.sent) != 0 {
		t.Errorf("a permanently failed alert was retried: %v", sl.sent)
	}
	stats, _ := db.Stats(t.Context())
	if stats.Dead != 1 || stats.Sent != 1 || stats.Pending != 0 {
		t.Errorf("store stats %+v, want 1 sent and 1 dead", stats)
	}
}

func TestFlushHonoursRetryAfter(t *testing.T) {
	db := openStore(t)
	queue(t, db, "1", "console")
	now := t0
	con := &recorder{fails: []error{&bot.RetryAfterError{After: 7 * time.Minute, Err: errors.New("429")}}}
	d := bot.NewDispatcher(db, map[news.Platform]bot.Sender{news.Console: con}, func() time.Time { return now }, nil, 1)
	d.Flush(t.Context())
	now = t0.Add(6 * time.Minute)
	if st, _ := d.Flush(t.Context()); st.Sent != 0 {
		t.Errorf("sent before retry_after passed")
	}
	now = t0.Add(7 * time.Minute)
	if st, _ := d.Flush(t.Context()); st.Sent != 1 {
		t.Errorf("not sent once retry_after passed: %+v", st)
	}
}

func TestRunWakesAndStops(t *testing.T) {
	db := openStore(t)
	con := &recorder{}
	d := bot.NewDispatcher(db, map[news.Platform]bot.Sender{news.Console: con}, func() time.Time { return t0 }, nil, 1)
	ctx, cancel := context.WithCancel(t.Context())
	wake := make(chan struct{}, 1)
	done := make(chan error)
	go func() { done <- d.Run(ctx, wake, time.Hour) }()
	queue(t, db, "1", "console")
	wake <- struct{}{}
	for i := 0; ; i++ {
		con.mu.Lock()
		n := len(con.sent)
		con.mu.Unlock()
		if n == 1 {
			break
		}
		if i > 500 {
			t.Fatal("Run did not deliver after a wake-up")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run returned %v on shutdown, want nil", err)
	}
}
