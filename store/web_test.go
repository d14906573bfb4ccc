package store

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"herald/news"
)

func TestRecordPolls(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	var polls []Poll
	for i := range PollsKept + 7 {
		polls = append(polls, Poll{Feed: "wire", At: t0.Add(time.Duration(i) * time.Minute), Outcome: "ok", Duration: time.Duration(i) * time.Millisecond, Items: i, New: i % 3})
	}
	polls = append(polls, Poll{Feed: "other", At: t0, Outcome: "error", ErrorKind: "timeout", Duration: 30 * time.Second})
	// In two writes, so that the second trims what the first kept.
	if err := db.RecordPolls(ctx, polls[:10]); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordPolls(ctx, polls[10:]); err != nil {
		t.Fatal(err)
	}
	got, err := db.Polls(ctx, "wire", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != PollsKept {
		t.Fatalf("%d polls kept, want %d", len(got), PollsKept)
	}
	if want := polls[PollsKept+6]; got[0] != want {
		t.Errorf("newest = %+v, want %+v", got[0], want)
	}
	if want := polls[7]; got[len(got)-1] != want {
		t.Errorf("oldest kept = %+v, want %+v", got[len(got)-1], want)
	}
	other, err := db.Polls(ctx, "other", 10)
	if err != nil || len(other) != 1 || other[0].ErrorKind != "timeout" {
		t.Errorf("other feed: %+v, %v", other, err)
	}
	if err := db.RecordPolls(ctx, []Poll{{Feed: "", Outcome: "ok"}}); err == nil {
		t.Error("a poll without a feed was recorded")
	}
}

func TestWebQueries(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	day0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tg := news.Destination{Platform: news.Telegram, Chat: "-100123"}
	sl := news.Destination{Platform: news.Slack, Chat: "#news"}
	// Item i is stored on day i/2, matched by "a" and, when odd, by "b"
	// too; each alert of "a" goes to Telegram and Slack.
	for i := range 8 {
		at := day0.Add(time.Duration(i/2)*24*time.Hour + time.Hour)
		it := news.Item{Feed: "wire", ID: fmt.Sprint(i), Title: fmt.Sprint("title ", i)}
		ms := []news.Match{{Rule: "a"}}
		alerts := []news.Alert{{Rule: "a", Destination: tg, Title: it.Title}, {Rule: "a", Destination: sl, Title: it.Title}}
		if i%2 == 1 {
			ms = append(ms, news.Match{Rule: "b"})
			alerts = append(alerts, news.Alert{Rule: "b", Destination: tg, Title: it.Title})
		}
		if _, _, err := db.AddItem(ctx, it, at, ms, alerts); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.AddNotice(ctx, day0.Add(4*24*time.Hour), "failing/wire/1", news.Alert{Destination: tg, Title: "wire is failing"}); err != nil {
		t.Fatal(err)
	}

	t.Run("alerts per day", func(t *testing.T) {
		got, err := db.AlertsPerDay(ctx, day0.Add(24*time.Hour), 2)
		if err != nil {
			t.Fatal(err)
		}
		want := map[DayCount]bool{{"a", 0, 2}: true, {"a", 1, 2}: true, {"b", 0, 1}: true, {"b", 1, 1}: true}
		if len(got) != len(want) {
			t.Fatalf("got %+v, want %v", got, want)
		}
		for _, d := range got {
			if !want[d] {
				t.Errorf("unexpected %+v", d)
			}
		}
	})
	t.Run("matches per day", func(t *testing.T) {
		got, err := db.MatchesPerDay(ctx, "b", day0, 30)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 4 {
			t.Fatalf("got %+v, want one match on each of 4 days", got)
		}
		for i, d := range got {
			if d.Day != i || d.N != 1 {
				t.Errorf("day %d: %+v", i, d)
			}
		}
	})
	t.Run("queues", func(t *testing.T) {
		if err := db.MarkFailed(ctx, 1, "blocked", day0, true); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkFailed(ctx, 2, "ratelimited", day0, false); err != nil {
			t.Fatal(err)
		}
		got, err := db.Queues(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// 12 alerts to Telegram (8 of a, 4 of b) and the notice, 8 to Slack.
		want := []Queue{{Platform: news.Slack, Pending: 7, Retrying: 1}, {Platform: news.Telegram, Pending: 12, Dead: 1}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("queues = %+v, want %+v", got, want)
		}
	})
	t.Run("recent alerts", func(t *testing.T) {
		got, err := db.RecentAlerts(ctx, "", 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].Alert.Title != "title 7" || got[2].Alert.Title != "title 5" {
			t.Fatalf("got %+v", got)
		}
		if len(got[0].Deliveries) != 3 || fmt.Sprint(got[0].Rules) != "[a b]" {
			t.Errorf("newest: deliveries %+v, rules %v", got[0].Deliveries, got[0].Rules)
		}
		b, err := db.RecentAlerts(ctx, "b", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) != 4 || len(b[0].Deliveries) != 1 || b[0].Deliveries[0].Rule != "b" {
			t.Errorf("rule b: %+v", b)
		}
	})
	t.Run("feed items", func(t *testing.T) {
		got, err := db.FeedItems(ctx, "wire", 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Title != "title 7" || fmt.Sprint(got[0].Rules) != "[a b]" || fmt.Sprint(got[1].Rules) != "[a]" {
			t.Errorf("got %+v", got)
		}
	})
}

// queuesOfOutbox counts the delivery queue from the outbox itself, as
// queue_counts must say it.
func queuesOfOutbox(t *testing.T, db *DB) string {
	t.Helper()
	rows, err := db.r.QueryContext(t.Context(), `
		SELECT substr(destination, 1, instr(destination || ':', ':') - 1) AS platform,
			CASE WHEN status = 'dead' THEN 'dead' WHEN attempts > 0 THEN 'retrying' ELSE 'pending' END AS state, count(*)
		FROM outbox WHERE status IN ('pending', 'dead') GROUP BY 1, 2 ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var p, s string
		var n int
		if err := rows.Scan(&p, &s, &n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s/%s=%d ", p, s, n)
	}
	return b.String()
}

// queuesKept is what Queues says, in queuesOfOutbox's form.
func queuesKept(t *testing.T, db *DB) string {
	t.Helper()
	qs, err := db.Queues(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, q := range qs {
		for _, s := range []struct {
			state string
			n     int
		}{{"dead", q.Dead}, {"pending", q.Pending}, {"retrying", q.Retrying}} {
			if s.n != 0 {
				fmt.Fprintf(&b, "%s/%s=%d ", q.Platform, s.state, s.n)
			}
		}
	}
	return b.String()
}

// TestQueueCountsFollowOutbox checks the counts the triggers keep against
// the outbox after each way herald changes it.
func TestQueueCountsFollowOutbox(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	dests := []news.Destination{{Platform: news.Telegram, Chat: "-100123"}, {Platform: news.Slack, Chat: "#news"}, {Platform: news.Console}}
	for i := range 30 {
		var alerts []news.Alert
		for _, d := range dests[:1+i%3] {
			alerts = append(alerts, news.Alert{Rule: "r", Destination: d, Title: fmt.Sprint(i)})
		}
		if _, _, err := db.AddItem(ctx, news.Item{Feed: "wire", ID: fmt.Sprint(i)}, t0.Add(time.Duration(i)*time.Hour), nil, alerts); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"queued", func() error { return nil }},
		{"sent", func() error { return db.MarkSent(ctx, 1, t0) }},
		{"retrying", func() error { return db.MarkFailed(ctx, 2, "429", t0.Add(time.Minute), false) }},
		{"retrying again", func() error { return db.MarkFailed(ctx, 2, "429", t0.Add(time.Minute), false) }},
		{"dead after retries", func() error { return db.MarkFailed(ctx, 2, "403", t0, true) }},
		{"dead at once", func() error { return db.MarkFailed(ctx, 3, "403", t0, true) }},
		{"requeued", func() error { _, err := db.Requeue(ctx, t0, 3); return err }},
		{"chat moved", func() error { _, err := db.MoveChat(ctx, news.Telegram, "-100123", "-100456"); return err }},
		{"pruned", func() error {
			_, err := db.Prune(ctx, t0.Add(20*24*time.Hour), 19*24*time.Hour+12*time.Hour)
			return err
		}},
		// No path of herald's deletes an undelivered alert today; the
		// trigger still keeps the count if one does.
		{"item deleted", func() error { _, err := db.w.ExecContext(ctx, `DELETE FROM items WHERE id IN (2, 5, 6)`); return err }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got, want := queuesKept(t, db), queuesOfOutbox(t, db); got != want {
			t.Errorf("after %s: Queues says %q, the outbox %q", s.name, got, want)
		}
	}
}

// TestFeedHealth: the health read from a few columns is the health of the
// full state, in every state.
func TestFeedHealth(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	states := map[string]news.FeedState{
		"ok":        {LastPoll: now.Add(-time.Minute), LastOK: now.Add(-time.Minute)},
		"new":       {},
		"failing":   {LastPoll: now, LastError: "404", FailingSince: now.Add(-time.Hour)},
		"dead":      {LastPoll: now, LastError: "404", FailingSince: now.Add(-news.DeadAfter)},
		"throttled": {LastPoll: now, LastError: "429"},
		"disabled":  {LastPoll: now, Disabled: "410 Gone", LastError: "410"},
	}
	for name, st := range states {
		if err := db.SaveFeedState(ctx, name, st); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.FeedHealth(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(states) {
		t.Errorf("%d feeds, want %d", len(got), len(states))
	}
	for name, st := range states {
		if want := st.HealthAt(now); got[name] != want || string(want) != name {
			t.Errorf("%s: health %q, want %q", name, got[name], want)
		}
	}
	rows, err := db.FeedsNamed(ctx, []string{"dead", "ok", "nope"})
	if err != nil || len(rows) != 2 || rows[0].Name != "dead" || rows[0].LastError != "404" || rows[1].Name != "ok" {
		t.Errorf("FeedsNamed: %+v, %v", rows, err)
	}
}
