package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"herald/news"
	"herald/rules"
	"herald/search"
)

// TestIndexTokens checks the index's encoding against SQLite itself: every
// word rules see is exactly one unicode61 token, the same word always the
// same token and two different words two different tokens. Without that, a
// word could be split at a combining mark, or two words folded together, and
// searches would miss items that rules match.
func TestIndexTokens(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	// Every letter, digit and mark of Unicode as a word of its own, then
	// words of several scripts, with marks inside.
	var b strings.Builder
	for r := rune(1); r <= 0x2FFFF; r++ {
		if underRace && r >= 0x3000 && r%17 != 0 {
			continue // a sample of the ideographs and rarer scripts
		}
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) {
			b.WriteString(" x")
			b.WriteRune(r)
			b.WriteString(" ")
			b.WriteRune(r)
		}
	}
	b.WriteString(" नमस्ते Azərbaycan Ελληνικός ψυχς Straße Łódź ﬁnance Ⅻ 北京市 ひらがな カタカナ 한국어 עִבְרִית العَرَبِيَّة ภาษาไทย 🙂x")
	text := b.String()
	it := news.Item{Feed: "probe", ID: "probe", Title: "", Text: text}
	if _, _, err := db.AddItem(ctx, it, t0, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.ExecContext(ctx, `CREATE VIRTUAL TABLE temp.probe_vocab USING fts5vocab(main, items_fts, 'instance')`); err != nil {
		t.Fatal(err)
	}
	rows, err := db.w.QueryContext(ctx, `SELECT term, offset FROM temp.probe_vocab WHERE col = 'text' ORDER BY offset`)
	if err != nil {
		t.Fatal(err)
	}
	var terms []string
	for rows.Next() {
		var term string
		var off int
		if err := rows.Scan(&term, &off); err != nil {
			t.Fatal(err)
		}
		if off != len(terms) {
			t.Fatalf("token offset %d after %d tokens", off, len(terms))
		}
		terms = append(terms, term)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	words := rules.Tokenize(text)
	if len(terms) != len(words) {
		t.Fatalf("the index holds %d tokens for %d words", len(terms), len(words))
	}
	byWord := map[string]string{}
	byTerm := map[string]string{}
	for i, w := range words {
		if prev, ok := byWord[w.Norm]; ok && prev != terms[i] {
			t.Errorf("word %+q is token %+q and %+q", w.Norm, prev, terms[i])
		}
		if prev, ok := byTerm[terms[i]]; ok && prev != w.Norm {
			t.Errorf("words %+q and %+q are both token %+q", prev, w.Norm, terms[i])
		}
		byWord[w.Norm], byTerm[terms[i]] = terms[i], w.Norm
	}
}

// indexRows counts the rows of the full-text index.
func indexRows(t *testing.T, db *DB) int {
	t.Helper()
	return count(t, db, "items_fts_docsize", "")
}

// candidates returns the guids of what a request selects, in order.
func candidates(t *testing.T, db *DB, r search.Request) []string {
	t.Helper()
	if r.Limit == 0 {
		r.Limit = 100
	}
	cs, err := db.Candidates(t.Context(), r)
	if err != nil {
		t.Fatalf("Candidates(%+v): %v", r, err)
	}
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.Item.ID)
	}
	return ids
}

func TestAddItemIndexes(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	it := testItem("wire", "a")
	it.Text = "Foreign ministers met in Brussels."
	if _, _, err := db.AddItem(ctx, it, t0, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, added, err := db.AddItem(ctx, it, t0, nil, nil); err != nil || added {
		t.Fatalf("second AddItem = %v, %v", added, err)
	}
	if n := indexRows(t, db); n != 1 {
		t.Errorf("index rows = %d, want 1", n)
	}
	if got := candidates(t, db, search.Request{Match: `text : "brussels"`}); !slices.Equal(got, []string{"a"}) {
		t.Errorf("candidates = %v, want [a]", got)
	}
	// A failing transaction leaves no index row behind.
	bad := testItem("wire", "b")
	alert := testAlert(bad, "r", console)
	if _, _, err := db.AddItem(ctx, bad, t0, nil, []news.Alert{alert, alert}); err == nil {
		t.Fatal("AddItem with a repeated alert succeeded")
	}
	if n := indexRows(t, db); n != 1 {
		t.Errorf("index rows after a failed AddItem = %d, want 1", n)
	}
	// Notices are not news.
	if _, err := db.AddNotice(ctx, t0, "k", news.Alert{Destination: console, Title: "Feed wire is failing in Brussels"}); err != nil {
		t.Fatal(err)
	}
	if got := candidates(t, db, search.Request{Match: `{title text} : "brussels"`}); !slices.Equal(got, []string{"a"}) {
		t.Errorf("candidates with a notice = %v, want [a]", got)
	}
}

func TestCandidatesOrder(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	add := func(id string, published time.Time, text string) {
		t.Helper()
		it := news.Item{Feed: "wire", ID: id, Title: id, Text: text, Published: published}
		if _, _, err := db.AddItem(ctx, it, t0, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	// Stored in another order than published; one undated (found under
	// its fetch time), one dated in the future (likewise).
	add("d2", t0.Add(-2*24*time.Hour), "grain grain grain")
	add("d5", t0.Add(-5*24*time.Hour), "grain")
	add("undated", time.Time{}, "grain and wheat")
	add("d1", t0.Add(-24*time.Hour), "wheat")
	add("future", t0.Add(48*time.Hour), "grain")
	add("d1b", t0.Add(-24*time.Hour), "grain, wheat")

	newest := candidates(t, db, search.Request{})
	if want := []string{"future", "undated", "d1b", "d1", "d2", "d5"}; !slices.Equal(newest, want) {
		t.Errorf("every item = %v, want %v", newest, want)
	}
	grain := search.Request{Match: `text : "grain"`}
	if got, want := candidates(t, db, grain), []string{"future", "undated", "d1b", "d2", "d5"}; !slices.Equal(got, want) {
		t.Errorf("grain = %v, want %v", got, want)
	}
	// Pages: Before continues below the key of the last one.
	grain.Limit = 2
	cs, err := db.Candidates(ctx, grain)
	if err != nil || len(cs) != 2 {
		t.Fatalf("first page = %v, %v", cs, err)
	}
	grain.Before = cs[1].Key
	if got, want := candidates(t, db, grain), []string{"d1b", "d2"}; !slices.Equal(got, want) {
		t.Errorf("second page = %v, want %v", got, want)
	}
	since := search.Request{Match: `text : "grain"`, Since: t0.Add(-3 * 24 * time.Hour)}
	if got, want := candidates(t, db, since), []string{"future", "undated", "d1b", "d2"}; !slices.Equal(got, want) {
		t.Errorf("since 3 days = %v, want %v", got, want)
	}
	all := search.Request{Since: t0.Add(-36 * time.Hour)}
	if got, want := candidates(t, db, all), []string{"future", "undated", "d1b", "d1"}; !slices.Equal(got, want) {
		t.Errorf("every item since 36h = %v, want %v", got, want)
	}
	rel := search.Request{Match: `text : "grain"`, Relevance: true, Limit: 1}
	if got := candidates(t, db, rel); !slices.Equal(got, []string{"d2"}) {
		t.Errorf("best match = %v, want [d2] (grain three times)", got)
	}
	rel.Offset = 1
	if got := candidates(t, db, rel); len(got) != 1 || got[0] == "d2" {
		t.Errorf("second best = %v", got)
	}
	if _, err := db.Candidates(ctx, search.Request{Match: `"unterminated`, Limit: 1}); err == nil {
		t.Error("a bad FTS5 expression gave no error")
	}
}

// TestMigrationBuildsIndex opens a database written before the index
// existed: Open indexes its items.
func TestMigrationBuildsIndex(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	// A schema-3 database, as herald wrote it before search, with items.
	w, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		t.Fatal(err)
	}
	old := &DB{path: path, w: w}
	if err := old.migrate(ctx, mustMigrations(t)[:3]); err != nil {
		t.Fatal(err)
	}
	const n = 1234 // more than one batch
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		word := "even"
		if i%2 == 1 {
			word = "odd"
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO items (feed, guid, title, text, published, fetched_at, categories, authors)
			VALUES ('wire', ?, ?, ?, ?, ?, '["Énergie"]', '["Zoë Smith"]')`,
			"id"+strings.Repeat("x", i%3)+string(rune('a'+i%26))+strconv.Itoa(i), "Item "+strconv.Itoa(i), "A "+word+" item.", t0.Unix()+int64(i), t0.Unix()+int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	w.Close()

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := count(t, db, "items", "doc IS NULL"); got != 0 {
		t.Errorf("%d items not indexed", got)
	}
	if got := indexRows(t, db); got != n {
		t.Errorf("index rows = %d, want %d", got, n)
	}
	got := candidates(t, db, search.Request{Match: `(text : "odd") AND (tags : "energie") AND (author : "zoe")`, Limit: n})
	if len(got) != n/2 {
		t.Errorf("odd items found = %d, want %d", len(got), n/2)
	}
	if v, _, _ := db.Get(ctx, indexVersionKey); v != search.IndexVersion() {
		t.Errorf("index version = %q, want %q", v, search.IndexVersion())
	}
}

// TestIndexVersionRebuild: a herald whose folding differs from the one that
// wrote the index rebuilds it at Open.
func TestIndexVersionRebuild(t *testing.T) {
	db, path := openTest(t)
	ctx := t.Context()
	it := testItem("wire", "a")
	it.Text = "Grain from Odesa."
	if _, _, err := db.AddItem(ctx, it, t0, nil, nil); err != nil {
		t.Fatal(err)
	}
	// Pretend another version wrote it, and wrote it wrong.
	if err := db.Set(ctx, indexVersionKey, "herald-fts-0:old"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.ExecContext(ctx, `INSERT INTO items_fts (items_fts) VALUES ('delete-all')`); err != nil {
		t.Fatal(err)
	}
	if got := candidates(t, db, search.Request{Match: `text : "odesa"`}); len(got) != 0 {
		t.Fatalf("emptied index still finds %v", got)
	}
	db2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if got := candidates(t, db2, search.Request{Match: `text : "odesa"`}); !slices.Equal(got, []string{"a"}) {
		t.Errorf("after rebuild = %v, want [a]", got)
	}
	if got := indexRows(t, db2); got != 1 {
		t.Errorf("index rows = %d, want 1", got)
	}
}

func TestPrune(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	now := t0.Add(100 * 24 * time.Hour)
	const retention = 90 * 24 * time.Hour
	type row struct {
		id      string
		fetched time.Time
		status  Status // of its one alert; "" for none
	}
	rows := []row{
		{"old-none", t0, ""},
		{"old-sent", t0, StatusSent},
		{"old-pending", t0, StatusPending},
		{"old-dead", t0, StatusDead},
		{"new-sent", now.Add(-time.Hour), StatusSent},
		{"new-none", now.Add(-time.Hour), ""},
	}
	outbox := map[string]int64{}
	for _, r := range rows {
		it := testItem("wire", r.id)
		it.Text = "grain " + r.id
		var alerts []news.Alert
		if r.status != "" {
			alerts = []news.Alert{testAlert(it, "r", tgChat)}
		}
		id, _, err := db.AddItem(ctx, it, r.fetched, []news.Match{testMatch("r")}, alerts)
		if err != nil {
			t.Fatal(err)
		}
		if r.status == "" {
			continue
		}
		var ob int64
		if err := db.r.QueryRowContext(ctx, `SELECT id FROM outbox WHERE item_id = ?`, id).Scan(&ob); err != nil {
			t.Fatal(err)
		}
		outbox[r.id] = ob
		switch r.status {
		case StatusSent:
			err = db.MarkSent(ctx, ob, r.fetched)
		case StatusDead:
			err = db.MarkFailed(ctx, ob, "gone", r.fetched, true)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	st, err := db.Prune(ctx, now, retention)
	if err != nil {
		t.Fatal(err)
	}
	if st.Items != 2 || st.Delivered != 1 {
		t.Errorf("Prune = %+v, want 2 items (old-none, old-sent) and 1 delivered alert", st)
	}
	got := candidates(t, db, search.Request{Match: `text : "grain"`})
	slices.Sort(got)
	if want := []string{"new-none", "new-sent", "old-dead", "old-pending"}; !slices.Equal(got, want) {
		t.Errorf("left = %v, want %v", got, want)
	}
	if n := indexRows(t, db); n != 4 {
		t.Errorf("index rows = %d, want 4", n)
	}
	if n := count(t, db, "matches", ""); n != 4 {
		t.Errorf("matches = %d, want 4", n)
	}
	for id, want := range map[string]int{"old-sent": 0, "old-pending": 1, "old-dead": 1, "new-sent": 1} {
		if n := count(t, db, "outbox", "id = ?", outbox[id]); n != want {
			t.Errorf("outbox row of %s: %d, want %d", id, n, want)
		}
	}
	// The pruned items are still known, so a feed that lists them does not
	// bring them back as new.
	known, err := db.KnownItems(ctx, "wire", []string{"old-none", "old-sent", "old-pending", "never"})
	if err != nil {
		t.Fatal(err)
	}
	if !known["old-none"] || !known["old-sent"] || !known["old-pending"] || known["never"] {
		t.Errorf("KnownItems = %v", known)
	}
	// Pruning again changes nothing; a year later the memory goes.
	if st, err := db.Prune(ctx, now, retention); err != nil || st != (PruneStats{}) {
		t.Errorf("second Prune = %+v, %v", st, err)
	}
	if st, err := db.Prune(ctx, now.Add(ForgetAfter+time.Hour), 1000*24*time.Hour); err != nil || st.Forgotten != 2 {
		t.Errorf("Prune a year later = %+v, %v; want 2 forgotten", st, err)
	}
	if _, err := db.Prune(ctx, now, 0); err == nil {
		t.Error("Prune with no retention succeeded")
	}
}

// TestPruneBatches prunes more items than one batch while another writer
// adds items: both get through.
func TestPruneBatches(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	const n = 2*pruneBatch + 17
	for i := range n {
		it := news.Item{Feed: "wire", ID: "old" + strconv.Itoa(i), Title: "old", Text: "x"}
		if _, _, err := db.AddItem(ctx, it, t0, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() {
		for i := range 50 {
			it := news.Item{Feed: "wire", ID: "new" + strconv.Itoa(i), Title: "new", Text: "x"}
			if _, _, err := db.AddItem(context.Background(), it, t0.Add(365*24*time.Hour), nil, nil); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	st, err := db.Prune(ctx, t0.Add(365*24*time.Hour), 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if st.Items != n {
		t.Errorf("pruned %d, want %d", st.Items, n)
	}
	if got := count(t, db, "items", ""); got != 50 {
		t.Errorf("items left = %d, want 50", got)
	}
	if got := indexRows(t, db); got != 50 {
		t.Errorf("index rows left = %d, want 50", got)
	}
}
