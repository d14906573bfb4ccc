package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"herald/news"
)

var (
	t0       = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	console  = news.Destination{Platform: news.Console}
	tgChat   = news.Destination{Platform: news.Telegram, Chat: "-1001234567890"}
	tgTopic  = news.Destination{Platform: news.Telegram, Chat: "-1001234567890", Thread: "5"}
	slackNew = news.Destination{Platform: news.Slack, Chat: "#news"}
)

func testItem(feed, id string) news.Item {
	return news.Item{
		Feed:       feed,
		ID:         id,
		Title:      "NATO foreign ministers meet " + id,
		Link:       "https://example.org/" + id,
		Authors:    []string{"A. Reporter"},
		Categories: []string{"world", "europe"},
		Published:  t0.Add(-time.Hour),
		Content:    "<p>Ministers met.</p>",
		Text:       "Ministers met.",
	}
}

func testAlert(it news.Item, rule string, d news.Destination) news.Alert {
	return news.Alert{
		Destination: d,
		Rule:        rule,
		Feed:        it.Feed,
		Title:       it.Title,
		Link:        it.Link,
		Published:   it.Published,
		Summary:     "Ministers met in Brussels.",
		Quotes:      []news.Quote{{Text: "We stand together", Speaker: "Mark Rutte"}},
		Hits:        []news.Hit{{Term: "nato", Field: "title", Text: "NATO"}},
	}
}

func testMatch(rule string) news.Match {
	return news.Match{Rule: rule, Hits: []news.Hit{{Term: "nato", Field: "title", Text: "NATO"}}}
}

// count returns the number of rows of table matching where.
func count(t *testing.T, db *DB, table, where string, args ...any) int {
	t.Helper()
	var n int
	q := "SELECT count(*) FROM " + table
	if where != "" {
		q += " WHERE " + where
	}
	if err := db.r.QueryRowContext(t.Context(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestAddItem(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	it := testItem("wire", "guid-1")
	matches := []news.Match{testMatch("nato"), {Rule: "europe"}}
	alerts := []news.Alert{testAlert(it, "nato", console), testAlert(it, "nato", tgTopic), testAlert(it, "europe", console)}

	id, added, err := db.AddItem(ctx, it, t0, matches, alerts)
	if err != nil || !added || id <= 0 {
		t.Fatalf("first AddItem = %d, %t, %v; want id, true, nil", id, added, err)
	}
	// The same item again, even with other matches and alerts, changes nothing.
	again, added, err := db.AddItem(ctx, it, t0.Add(time.Hour), []news.Match{testMatch("other")},
		[]news.Alert{testAlert(it, "other", slackNew), testAlert(it, "nato", console)})
	if err != nil || added || again != id {
		t.Fatalf("second AddItem = %d, %t, %v; want %d, false, nil", again, added, err, id)
	}
	if n := count(t, db, "items", ""); n != 1 {
		t.Errorf("items = %d, want 1", n)
	}
	if n := count(t, db, "matches", "item_id = ?", id); n != 2 {
		t.Errorf("matches = %d, want 2", n)
	}
	if n := count(t, db, "outbox", "item_id = ?", id); n != 3 {
		t.Errorf("outbox rows = %d, want 3", n)
	}
	var hits, authors string
	if err := db.r.QueryRowContext(ctx, `SELECT hits FROM matches WHERE item_id = ? AND rule = 'europe'`, id).Scan(&hits); err != nil {
		t.Fatal(err)
	}
	if hits != "[]" {
		t.Errorf("nil hits stored as %s, want []", hits)
	}
	if err := db.r.QueryRowContext(ctx, `SELECT authors FROM items WHERE id = ?`, id).Scan(&authors); err != nil {
		t.Fatal(err)
	}
	if authors != `["A. Reporter"]` {
		t.Errorf("authors stored as %s", authors)
	}
	// The same guid in another feed is another item.
	other, added, err := db.AddItem(ctx, testItem("agency", "guid-1"), t0, nil, nil)
	if err != nil || !added || other == id {
		t.Errorf("same guid, other feed: AddItem = %d, %t, %v; want a new id", other, added, err)
	}
}

// TestAddItemAtomic provokes failures after the item row is written and
// checks that the whole transaction is undone.
func TestAddItemAtomic(t *testing.T) {
	it := testItem("wire", "guid-atomic")
	good := testAlert(it, "nato", console)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		matches []news.Match
		alerts  []news.Alert
		want    string
	}{
		{name: "duplicate rule and destination", alerts: []news.Alert{good, testAlert(it, "nato", tgChat), good}, want: "UNIQUE"},
		{name: "unknown platform", alerts: []news.Alert{good, testAlert(it, "nato", news.Destination{Platform: "pigeon", Chat: "x"})}, want: "invalid destination"},
		{name: "console with chat", alerts: []news.Alert{good, testAlert(it, "nato", news.Destination{Platform: news.Console, Chat: "1"})}, want: "invalid destination"},
		{name: "empty rule", alerts: []news.Alert{good, testAlert(it, "", tgChat)}, want: "CHECK"},
		{name: "duplicate match", matches: []news.Match{testMatch("nato"), testMatch("nato")}, alerts: []news.Alert{good}, want: "UNIQUE"},
		{name: "cancelled context", ctx: cancelled, alerts: []news.Alert{good}, want: "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openTest(t)
			ctx := tt.ctx
			if ctx == nil {
				ctx = t.Context()
			}
			_, added, err := db.AddItem(ctx, it, t0, tt.matches, tt.alerts)
			if err == nil || added {
				t.Fatalf("AddItem = added %t, err %v; want an error", added, err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "store: ") {
				t.Errorf("error %q, want one starting store: and containing %q", err, tt.want)
			}
			for _, table := range []string{"items", "matches", "outbox"} {
				if n := count(t, db, table, ""); n != 0 {
					t.Errorf("%s has %d rows after a failed AddItem", table, n)
				}
			}
			// The item is not recorded as seen, so the next poll retries it.
			known, err := db.KnownItems(t.Context(), it.Feed, []string{it.ID})
			if err != nil || known[it.ID] {
				t.Errorf("KnownItems = %v, %v; want the item unknown", known, err)
			}
			if _, added, err := db.AddItem(t.Context(), it, t0, nil, []news.Alert{good}); err != nil || !added {
				t.Errorf("retry AddItem = %t, %v; want true, nil", added, err)
			}
		})
	}
}

func TestAddItemInvalid(t *testing.T) {
	db, _ := openTest(t)
	tests := []struct {
		name string
		it   news.Item
		at   time.Time
	}{
		{name: "no feed", it: news.Item{ID: "x"}, at: t0},
		{name: "no id", it: news.Item{Feed: "wire"}, at: t0},
		{name: "no fetch time", it: news.Item{Feed: "wire", ID: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := db.AddItem(t.Context(), tt.it, tt.at, nil, nil); err == nil {
				t.Error("AddItem succeeded, want an error")
			}
		})
	}
}

func TestKnownItems(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	const stored = 1200
	for i := range stored {
		if _, _, err := db.AddItem(ctx, news.Item{Feed: "wire", ID: fmt.Sprintf("g%04d", i)}, t0, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := db.AddItem(ctx, news.Item{Feed: "agency", ID: "n0001"}, t0, nil, nil); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 2 * stored {
		ids = append(ids, fmt.Sprintf("g%04d", i)) // half stored
	}
	ids = append(ids, "g0001", "g0002", "n0001") // repeats, and one of another feed

	tests := []struct {
		name string
		feed string
		ids  []string
		want int
	}{
		{name: "none asked", feed: "wire", ids: nil, want: 0},
		{name: "one chunk", feed: "wire", ids: ids[:10], want: 10},
		{name: "exactly a chunk", feed: "wire", ids: ids[:knownChunk], want: knownChunk},
		{name: "many chunks", feed: "wire", ids: ids, want: stored},
		{name: "other feed", feed: "agency", ids: ids, want: 1},
		{name: "unknown feed", feed: "nope", ids: ids, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			known, err := db.KnownItems(ctx, tt.feed, tt.ids)
			if err != nil {
				t.Fatal(err)
			}
			if len(known) != tt.want {
				t.Errorf("%d known, want %d", len(known), tt.want)
			}
			for id := range known {
				if !known[id] {
					t.Errorf("known[%q] = false; the map should hold only known ids", id)
				}
			}
		})
	}
	known, _ := db.KnownItems(ctx, "wire", ids)
	if !known["g0000"] || !known["g1199"] || known["g1200"] || known["n0001"] {
		t.Errorf("wrong membership: g0000=%t g1199=%t g1200=%t n0001=%t",
			known["g0000"], known["g1199"], known["g1200"], known["n0001"])
	}
}

func TestAlertPayloadRoundTrip(t *testing.T) {
	db, _ := openTest(t)
	it := testItem("wire", "guid-rt")
	want := testAlert(it, "nato", tgTopic)
	if _, _, err := db.AddItem(t.Context(), it, t0, nil, []news.Alert{want}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Pending(t.Context(), t0, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("Pending = %v, %v", got, err)
	}
	if got[0].ID <= 0 {
		t.Errorf("ID = %d, want > 0", got[0].ID)
	}
	want.ID = got[0].ID
	want.Queued = t0 // the outbox row's queue time, from AddItem's fetchedAt
	if !reflect.DeepEqual(got[0], want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got[0], want)
	}
}
