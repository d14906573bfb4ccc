package store

import (
	"errors"
	"slices"
	"testing"
	"time"

	"herald/news"
)

// ids returns the outbox IDs of alerts, in order.
func ids(alerts []news.Alert) []int64 {
	var out []int64
	for _, a := range alerts {
		out = append(out, a.ID)
	}
	return out
}

func TestOutboxFlow(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	it := testItem("wire", "guid-flow")
	dests := []news.Destination{console, tgChat, tgTopic, slackNew}
	var alerts []news.Alert
	for _, d := range dests {
		alerts = append(alerts, testAlert(it, "nato", d))
	}
	if _, _, err := db.AddItem(ctx, it, t0, []news.Match{testMatch("nato")}, alerts); err != nil {
		t.Fatal(err)
	}
	all, err := db.Pending(ctx, t0, 10)
	if err != nil || len(all) != 4 {
		t.Fatalf("Pending = %v, %v; want 4 alerts", all, err)
	}
	for i, a := range all {
		if a.Destination != dests[i] || a.Rule != "nato" {
			t.Errorf("alert %d: destination %v rule %q, want %v nato", i, a.Destination, a.Rule, dests[i])
		}
	}
	sent, retried, dead, untouched := all[0].ID, all[1].ID, all[2].ID, all[3].ID

	if err := db.MarkSent(ctx, sent, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	// Due 1.5 s later: rounded up, so not due at +1 s nor at +1.9 s, due at +2 s.
	if err := db.MarkFailed(ctx, retried, "429 Too Many Requests", t0.Add(1500*time.Millisecond), false); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkFailed(ctx, dead, "403 Forbidden: bot was blocked", t0, true); err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		name  string
		now   time.Time
		limit int
		want  []int64
	}{
		{name: "before queued", now: t0.Add(-time.Second), limit: 10, want: nil},
		{name: "at queue time", now: t0, limit: 10, want: []int64{untouched}},
		{name: "retry not yet due", now: t0.Add(1900 * time.Millisecond), limit: 10, want: []int64{untouched}},
		{name: "retry due", now: t0.Add(2 * time.Second), limit: 10, want: []int64{retried, untouched}},
		{name: "limit", now: t0.Add(time.Hour), limit: 1, want: []int64{retried}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			got, err := db.Pending(ctx, st.now, st.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), st.want) {
				t.Errorf("Pending(%v, %d) = %v, want %v", st.now, st.limit, ids(got), st.want)
			}
		})
	}

	deliveries := []struct {
		name      string
		id        int64
		status    Status
		attempts  int
		lastError string
		sentAt    time.Time
		next      time.Time
	}{
		{name: "sent", id: sent, status: StatusSent, attempts: 1, sentAt: t0.Add(time.Second), next: t0},
		{name: "retried", id: retried, status: StatusPending, attempts: 1, lastError: "429 Too Many Requests", next: t0.Add(2 * time.Second)},
		{name: "dead", id: dead, status: StatusDead, attempts: 1, lastError: "403 Forbidden: bot was blocked", next: t0},
		{name: "untouched", id: untouched, status: StatusPending, next: t0},
	}
	for _, w := range deliveries {
		t.Run("delivery "+w.name, func(t *testing.T) {
			d, err := db.Delivery(ctx, w.id)
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != w.status || d.Attempts != w.attempts || d.LastError != w.lastError ||
				!d.SentAt.Equal(w.sentAt) || !d.NextAttempt.Equal(w.next) || !d.CreatedAt.Equal(t0) || d.Alert.ID != w.id {
				t.Errorf("Delivery = %+v, want status %s attempts %d error %q sent %v next %v",
					d, w.status, w.attempts, w.lastError, w.sentAt, w.next)
			}
		})
	}

	// A second failure counts again; a later success clears the error.
	if err := db.MarkFailed(ctx, retried, "timeout", time.Time{}, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Pending(ctx, t0, 10); !slices.Equal(ids(got), []int64{retried, untouched}) {
		t.Errorf("zero retryAt: Pending = %v, want the row due at once", ids(got))
	}
	if err := db.MarkSent(ctx, retried, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if d, _ := db.Delivery(ctx, retried); d.Attempts != 3 || d.LastError != "" || d.Status != StatusSent {
		t.Errorf("after retry and success: %+v", d)
	}

	s, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Pending != 1 || s.Sent != 2 || s.Dead != 1 || s.Items != 1 || s.Matches != 1 {
		t.Errorf("Stats = %+v", s)
	}
}

func TestOutboxErrors(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	tests := []struct {
		name string
		call func() error
	}{
		{name: "mark sent unknown", call: func() error { return db.MarkSent(ctx, 999, t0) }},
		{name: "mark failed unknown", call: func() error { return db.MarkFailed(ctx, 999, "x", t0, false) }},
		{name: "delivery unknown", call: func() error { _, err := db.Delivery(ctx, 999); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, ErrNotFound) {
				t.Errorf("error = %v, want ErrNotFound", err)
			}
		})
	}
	if _, err := db.Pending(ctx, t0, 0); err == nil {
		t.Error("Pending with limit 0 succeeded, want an error")
	}
}

func TestLatest(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	// item i is alerted by the rules listed, each to console and Telegram.
	plan := []struct {
		id    string
		rules []string
	}{
		{"a", []string{"nato"}},
		{"b", []string{"nato", "europe"}},
		{"c", []string{"europe"}},
		{"d", []string{"nato"}},
		{"e", []string{"nato"}}, // dead everywhere below
	}
	for i, p := range plan {
		it := testItem("wire", p.id)
		var ms []news.Match
		var as []news.Alert
		for _, r := range p.rules {
			ms = append(ms, testMatch(r))
			as = append(as, testAlert(it, r, console), testAlert(it, r, tgChat))
		}
		if _, _, err := db.AddItem(ctx, it, t0.Add(time.Duration(i)*time.Minute), ms, as); err != nil {
			t.Fatal(err)
		}
	}
	pending, err := db.Pending(ctx, t0.Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range pending {
		switch {
		case a.Title == testItem("wire", "e").Title:
			if err := db.MarkFailed(ctx, a.ID, "gone", t0, true); err != nil {
				t.Fatal(err)
			}
		case a.Destination == console:
			if err := db.MarkSent(ctx, a.ID, t0); err != nil {
				t.Fatal(err)
			}
		}
	}

	tests := []struct {
		name string
		dest news.Destination
		rule string
		n    int
		want []string // item ids, newest first
	}{
		{name: "any rule", dest: console, rule: "", n: 10, want: []string{"d", "c", "b", "a"}},
		{name: "any rule, limited", dest: console, rule: "", n: 2, want: []string{"d", "c"}},
		{name: "one rule", dest: console, rule: "nato", n: 10, want: []string{"d", "b", "a"}},
		{name: "other rule", dest: console, rule: "europe", n: 10, want: []string{"c", "b"}},
		{name: "unknown rule", dest: console, rule: "nope", n: 10, want: nil},
		{name: "zero", dest: console, rule: "", n: 0, want: nil},
		{name: "nothing sent to the chat yet", dest: tgChat, rule: "", n: 10, want: nil},
		{name: "any destination", rule: "europe", n: 10, want: []string{"c", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Latest(ctx, tt.dest, tt.rule, tt.n)
			if err != nil {
				t.Fatal(err)
			}
			var items []string
			for _, a := range got {
				items = append(items, a.Link[len("https://example.org/"):])
				if tt.rule != "" && a.Rule != tt.rule {
					t.Errorf("alert %d has rule %q, want %q", a.ID, a.Rule, tt.rule)
				}
			}
			if !slices.Equal(items, tt.want) {
				t.Errorf("Latest(%q, %d) = %v, want %v", tt.rule, tt.n, items, tt.want)
			}
		})
	}
}
