package alerts_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"herald/alerts"
	"herald/news"
	"herald/rules"
	"herald/store"
)

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func setup(t *testing.T) (*store.DB, *alerts.Pipeline) {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	set, err := rules.Compile([]rules.Rule{
		{Name: "nuc", Query: "@nuc"},
		{Name: "grain", Query: `"black sea" grain`},
		{Name: "tagged", Query: "council", Feeds: []string{"other"}},
	}, []rules.Entity{{ID: "nuc", Name: "NATO-Ukraine Council"}})
	if err != nil {
		t.Fatal(err)
	}
	console := news.Destination{Platform: news.Console}
	topics := &alerts.Topics{Set: set, Notify: map[string][]news.Destination{"nuc": {console}, "grain": {console}}}
	return db, alerts.New(db, topics, func() time.Time { return now }, nil)
}

func item(id, title, body string, published time.Time) news.Item {
	return news.Item{ID: id, Title: title, Content: body, Published: published, Link: "https://x.example/" + id}
}

func TestIngestBackfillAndDedup(t *testing.T) {
	db, p := setup(t)
	feed := news.Feed{Name: "wire", Backfill: 48 * time.Hour}
	items := []news.Item{
		item("fresh", "NATO-Ukraine Council meets", "<p>Ministers met in the NATO–Ukraine Council.</p>", now.Add(-time.Hour)),
		item("old", "NATO-Ukraine Council founded", "<p>Long ago.</p>", now.Add(-30*24*time.Hour)),
		item("undated", "NATO-Ukraine Council undated", "<p>No date.</p>", time.Time{}),
		item("other", "Marathon", "<p>Runners ran.</p>", now.Add(-time.Hour)),
	}
	res, err := p.Ingest(t.Context(), feed, items, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 4 || res.Matched != 1 || res.Queued != 1 || res.Skipped != 2 {
		t.Errorf("first poll result %+v, want 4 new, 1 matched, 1 queued, 2 skipped by backfill", res)
	}
	pending, _ := db.Pending(t.Context(), now, 10)
	if len(pending) != 1 || pending[0].Title != "NATO-Ukraine Council meets" {
		t.Fatalf("pending = %+v", pending)
	}
	a := pending[0]
	if a.Summary != "Ministers met in the NATO–Ukraine Council." || len(a.Hits) == 0 || a.Link != "https://x.example/fresh" {
		t.Errorf("alert = %+v", a)
	}

	// The same items again are known: nothing new. A later, non-first poll
	// alerts on an old-dated new item, since only the first poll is limited.
	items = append(items, item("late", "NATO-Ukraine Council archive", "<p>Found in the archive.</p>", now.Add(-90*24*time.Hour)))
	res, err = p.Ingest(t.Context(), feed, items, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 1 || res.Queued != 1 {
		t.Errorf("second poll result %+v, want only the one new item queued", res)
	}
}

func TestIngestBackfillAll(t *testing.T) {
	db, p := setup(t)
	// backfill: all alerts on every item of the first poll, undated too.
	feed := news.Feed{Name: "wire", Backfill: news.BackfillAll}
	items := []news.Item{
		item("old", "NATO-Ukraine Council founded", "<p>Long ago.</p>", now.Add(-30*365*24*time.Hour)),
		item("undated", "NATO-Ukraine Council undated", "<p>No date.</p>", time.Time{}),
	}
	res, err := p.Ingest(t.Context(), feed, items, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 2 || res.Queued != 2 || res.Skipped != 0 {
		t.Errorf("first poll result %+v, want both items queued", res)
	}
	if pending, _ := db.Pending(t.Context(), now, 10); len(pending) != 2 {
		t.Errorf("%d alerts pending, want 2", len(pending))
	}
}

func TestIngestDestinations(t *testing.T) {
	db, p := setup(t)
	tg := news.Destination{Platform: news.Telegram, Chat: "-100"}
	paused := news.Destination{Platform: news.Slack, Chat: "C9"}
	for _, s := range []news.Subscription{
		{Destination: tg, Rule: "nuc"},
		{Destination: tg, Rule: "grain"},
		{Destination: news.Destination{Platform: news.Console}, Rule: "nuc"}, // also in notify: once
		{Destination: paused, Rule: "nuc"},
	} {
		if _, err := db.Subscribe(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.SetPaused(t.Context(), paused, true); err != nil {
		t.Fatal(err)
	}
	it := item("both", "Black Sea grain and the NATO-Ukraine Council", "<p>Grain talks.</p>", now)
	res, err := p.Ingest(t.Context(), news.Feed{Name: "wire", Backfill: time.Hour}, []news.Item{it}, true)
	if err != nil {
		t.Fatal(err)
	}
	pending, _ := db.Pending(t.Context(), now, 10)
	var got []string
	for _, a := range pending {
		got = append(got, a.Destination.String()+"="+a.Rule)
	}
	// Two rules match, but each destination gets the item once; the paused one none.
	if want := "console=nuc telegram:-100=nuc"; strings.Join(got, " ") != want || res.Queued != 2 {
		t.Errorf("outbox = %v (queued %d), want %s", got, res.Queued, want)
	}
}

func TestIngestFeedRestriction(t *testing.T) {
	db, p := setup(t)
	it := item("c", "Council meets", "<p>The council met.</p>", now)
	p.Ingest(t.Context(), news.Feed{Name: "wire", Backfill: time.Hour}, []news.Item{it}, true)
	it.ID = "c2"
	p.Ingest(t.Context(), news.Feed{Name: "other", Backfill: time.Hour}, []news.Item{it}, true)
	st, _ := db.Stats(t.Context())
	if st.Matches != 1 {
		t.Errorf("matches = %d, want 1 (the rule is limited to feed other)", st.Matches)
	}
}

func TestIngestStoreFailureIsReported(t *testing.T) {
	db, p := setup(t)
	db.Close()
	_, err := p.Ingest(t.Context(), news.Feed{Name: "wire"}, []news.Item{item("x", "t", "b", now)}, false)
	if err == nil || !strings.Contains(err.Error(), `feed "wire"`) {
		t.Fatalf("err = %v, want an error naming the feed", err)
	}
}

func TestIngestMutes(t *testing.T) {
	db, p := setup(t)
	dropped := news.Destination{Platform: news.Telegram, Chat: "-1"}
	held := news.Destination{Platform: news.Telegram, Chat: "-2"}
	for _, d := range []news.Destination{dropped, held} {
		if _, err := db.Subscribe(t.Context(), news.Subscription{Destination: d, Rule: "nuc"}); err != nil {
			t.Fatal(err)
		}
	}
	db.Mute(t.Context(), news.Mute{Destination: dropped, Rule: "nuc", Until: now.Add(time.Hour)})
	db.Mute(t.Context(), news.Mute{Destination: held, Rule: "nuc", Until: now.Add(2 * time.Hour), Queue: true})
	it := item("m", "NATO-Ukraine Council meets", "<p>Talks.</p>", now)
	if _, err := p.Ingest(t.Context(), news.Feed{Name: "wire", Backfill: time.Hour}, []news.Item{it}, true); err != nil {
		t.Fatal(err)
	}
	due, _ := db.Pending(t.Context(), now, 10)
	if len(due) != 1 || due[0].Destination.Platform != news.Console {
		t.Errorf("due now: %+v; want only the console (one chat muted, one held)", due)
	}
	later, _ := db.Pending(t.Context(), now.Add(2*time.Hour), 10)
	var heldRows int
	for _, a := range later {
		if a.Destination == held && a.Digest {
			heldRows++
		}
		if a.Destination == dropped {
			t.Errorf("an alert was queued for a chat muted without --queue")
		}
	}
	if heldRows != 1 {
		t.Errorf("held rows at the mute's end: %d, want 1", heldRows)
	}
}

func TestIngestBatchedRule(t *testing.T) {
	db, p := setup(t)
	topics := *p.Topics()
	topics.Batches = map[string]news.Batch{"nuc": {Every: 10 * time.Minute}}
	p.SetTopics(&topics)
	it := item("b", "NATO-Ukraine Council meets", "<p>Talks.</p>", now)
	if _, err := p.Ingest(t.Context(), news.Feed{Name: "wire", Backfill: time.Hour}, []news.Item{it}, true); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.Pending(t.Context(), now.Add(9*time.Minute), 10); len(due) != 0 {
		t.Errorf("a batched alert is due before its window ends: %+v", due)
	}
	due, _ := db.Pending(t.Context(), now.Add(10*time.Minute), 10)
	if len(due) != 1 || !due[0].Digest {
		t.Errorf("at the window's end: %+v, want the alert marked for the digest", due)
	}
}

// TestIngestHitsOnlyWhereWanted: every rule that matches is recorded, but
// only those with a destination have their hits found, for their alerts.
func TestIngestHitsOnlyWhereWanted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	set, err := rules.Compile([]rules.Rule{
		{Name: "told", Query: "council"},
		{Name: "untold", Query: `council OR ministers`},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	topics := &alerts.Topics{Set: set, Notify: map[string][]news.Destination{"told": {{Platform: news.Console}}}}
	p := alerts.New(db, topics, func() time.Time { return now }, nil)
	it := item("c", "Council meets", "<p>Ministers met in council.</p>", now)
	if _, err := p.Ingest(t.Context(), news.Feed{Name: "wire", Backfill: time.Hour}, []news.Item{it}, true); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.QueryContext(t.Context(), `SELECT rule, hits FROM matches ORDER BY rule`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var rule, hits string
		if err := rows.Scan(&rule, &hits); err != nil {
			t.Fatal(err)
		}
		got = append(got, rule+" "+hits)
	}
	want := []string{
		`told [{"term":"council","field":"title","text":"Council"},{"term":"council","field":"text","text":"council"}]`,
		`untold []`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("matches:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	pending, _ := db.Pending(t.Context(), now, 10)
	if len(pending) != 1 || pending[0].Rule != "told" || len(pending[0].Hits) != 2 {
		t.Errorf("outbox = %+v, want one alert of rule told with two hits", pending)
	}
}

// TestQuoteSettings: alerts.quotes and alerts.quote_max bound the quotes an
// alert carries, a long one cut at a word with "…".
func TestQuoteSettings(t *testing.T) {
	body := `<p>Ministers met in the NATO–Ukraine Council on Tuesday.</p>` +
		`<p>“We need dates, not declarations, and we need them before the winter comes to every city in the east of the country,” said Andriy Sokil.</p>` +
		`<p>“The Council will meet again in spring,” said Maria Lind.</p>` +
		`<p>“Nothing is decided yet,” said Tom Berg.</p>`
	for _, tc := range []struct {
		name          string
		quotes, max   int
		wantN         int
		wantFirstText string
	}{
		{"defaults", alerts.QuotesPerAlert, alerts.DefaultQuoteMax, 2, "We need dates, not declarations, and we need them before the winter comes to every city in the east of the country"},
		{"one short quote", 1, 40, 1, "We need dates, not declarations, and we…"},
		{"no quotes", 0, 280, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, p := setup(t)
			topics := *p.Topics()
			topics.Quotes, topics.QuoteMax = &tc.quotes, tc.max
			p.SetTopics(&topics)
			if _, err := p.Ingest(t.Context(), news.Feed{Name: "wire"}, []news.Item{item("q", "NATO-Ukraine Council meets in Brussels", body, now.Add(-time.Hour))}, false); err != nil {
				t.Fatal(err)
			}
			pending, _ := db.Pending(t.Context(), now, 10)
			if len(pending) != 1 {
				t.Fatalf("pending %+v", pending)
			}
			q := pending[0].Quotes
			if len(q) != tc.wantN {
				t.Fatalf("%d quotes %+v, want %d", len(q), q, tc.wantN)
			}
			for _, x := range q {
				if n := len([]rune(x.Text)); n > tc.max {
					t.Errorf("quote of %d characters over %d: %q", n, tc.max, x.Text)
				}
			}
			if tc.wantN > 0 && strings.TrimRight(q[0].Text, ",.") != tc.wantFirstText {
				t.Errorf("first quote %q, want %q", q[0].Text, tc.wantFirstText)
			}
		})
	}
}
