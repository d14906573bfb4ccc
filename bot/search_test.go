package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"herald/news"
	"herald/rules"
	"herald/search"
)

// searchRouter is a router over a store holding n grain items (one an hour
// back from routerNow) and one about NATO.
func searchRouter(t *testing.T, n int) *Router {
	t.Helper()
	db := openStore(t)
	for i := range n {
		it := news.Item{
			Feed: "wire", ID: fmt.Sprint("g", i), Title: fmt.Sprintf("Grain report %d", i), Link: fmt.Sprintf("https://wire.example/%d", i),
			Text:      "Shipments of grain from the Black Sea rose again. Wheat prices fell.",
			Published: routerNow.Add(-time.Duration(n-i) * time.Hour),
		}
		if _, _, err := db.AddItem(t.Context(), it, routerNow, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	nato := news.Item{Feed: "ministry", ID: "n", Title: "Ministers meet", Link: "https://ministry.example/n",
		Text: "Foreign ministers met the NATO-Ukraine Council in Brussels.", Published: routerNow.Add(-30 * time.Minute)}
	if _, _, err := db.AddItem(t.Context(), nato, routerNow, nil, nil); err != nil {
		t.Fatal(err)
	}
	eng := search.New(db, search.Config{Entities: []rules.Entity{{ID: "nuc", Name: "NATO-Ukraine Council"}}}, func() time.Time { return routerNow })
	return NewRouter(db, testCatalog, func() time.Time { return routerNow }, nil, WithSearch(eng))
}

func TestSearchCommand(t *testing.T) {
	platforms := []struct {
		name   string
		dest   news.Destination
		other  news.Destination
		prefix string
	}{
		{"telegram", news.Destination{Platform: news.Telegram, Chat: "-100"}, news.Destination{Platform: news.Telegram, Chat: "42"}, "/"},
		{"slack", news.Destination{Platform: news.Slack, Chat: "C0NEWS"}, news.Destination{Platform: news.Slack, Chat: "C0DESK"}, "/herald "},
	}
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			r := searchRouter(t, 7)
			req := func(d news.Destination, args ...string) Request {
				return Request{Dest: d, Command: "search", Args: args, Prefix: p.prefix}
			}
			m, err := r.Handle(t.Context(), req(p.dest, "grain", "since:1d"))
			if err != nil {
				t.Fatal(err)
			}
			text := m.Text()
			for _, want := range []string{
				"Search: grain since:1d — newest first",
				"1. Grain report 6 — wire · today 11:00 UTC",
				"5. Grain report 2",
				"More: " + p.prefix + "search more",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("reply lacks %q:\n%s", want, text)
				}
			}
			if strings.Contains(text, "Grain report 1") {
				t.Errorf("first page shows more than %d results:\n%s", SearchPage, text)
			}
			// The result's title links to the article and the matched word is bold.
			res := m.Blocks[1]
			if res.Lines[0][1].URL != "https://wire.example/6" {
				t.Errorf("title span = %+v, want a link to the article", res.Lines[0][1])
			}
			var bold []string
			for _, s := range res.Lines[1] {
				if s.Bold {
					bold = append(bold, s.Text)
				}
			}
			if strings.Join(bold, ",") != "grain" {
				t.Errorf("bold in the snippet = %q, want [grain]", bold)
			}

			// Another chat has no search to continue.
			if got := ask(t, r, req(p.other, "more")); !strings.Contains(got, "There is no search to continue here") {
				t.Errorf("more in another chat = %q", got)
			}
			more := ask(t, r, req(p.dest, "MORE"))
			if !strings.Contains(more, "Search (continued): grain since:1d") || !strings.Contains(more, "6. Grain report 1") ||
				!strings.Contains(more, "7. Grain report 0") || strings.Contains(more, "More:") {
				t.Errorf("more = %q", more)
			}
			if got := ask(t, r, req(p.dest, "more")); !strings.Contains(got, "There is no search to continue here") {
				t.Errorf("more after the last page = %q", got)
			}

			if got := ask(t, r, req(p.dest, "@nuc")); !strings.Contains(got, "1. Ministers meet — ministry") || !strings.Contains(got, "NATO-Ukraine Council") {
				t.Errorf("@nuc = %q", got)
			}
			if got := ask(t, r, req(p.dest, "tractor")); !strings.Contains(got, "No stored article matches tractor") {
				t.Errorf("no match = %q", got)
			}
			if got := ask(t, r, req(p.dest)); !strings.Contains(got, p.prefix+"search <query>") || !strings.Contains(got, "sort:relevance") {
				t.Errorf("usage = %q", got)
			}
		})
	}
}

func TestSearchSyntaxError(t *testing.T) {
	r := searchRouter(t, 1)
	d := news.Destination{Platform: news.Telegram, Chat: "42"}
	got := ask(t, r, Request{Dest: d, Command: "search", Args: []string{"grain", "AND", "(wheat"}, Prefix: "/"})
	for _, want := range []string{
		"I could not read that search (at character 11): unbalanced parenthesis",
		"grain AND ▸(wheat",
		"since:7d",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("reply lacks %q:\n%s", want, got)
		}
	}
	got = ask(t, r, Request{Dest: d, Command: "search", Args: []string{"Łódź", "since:soon"}, Prefix: "/"})
	if !strings.Contains(got, "(at character 6): since:soon: write how far back") || !strings.Contains(got, "Łódź ▸since:soon") {
		t.Errorf("since error = %q", got)
	}
}

func TestSearchUnavailable(t *testing.T) {
	r := NewRouter(openStore(t), testCatalog, nil, nil)
	d := news.Destination{Platform: news.Telegram, Chat: "42"}
	if got := ask(t, r, Request{Dest: d, Command: "search", Args: []string{"grain"}}); !strings.Contains(got, "not available") {
		t.Errorf("search without a searcher = %q", got)
	}
}

// TestSearchReplyFits: five long results stay well within the platforms'
// limits (Telegram 4,096 characters, Slack 3,000 per section).
func TestSearchReplyFits(t *testing.T) {
	db := openStore(t)
	long := strings.Repeat("word ", 2000)
	for i := range 6 {
		it := news.Item{Feed: strings.Repeat("f", 300), ID: fmt.Sprint(i), Title: strings.Repeat("Grain ", 200), Link: "https://x.example/" + strings.Repeat("p", 500),
			Text: long + "grain " + long, Published: routerNow}
		if _, _, err := db.AddItem(t.Context(), it, routerNow, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	r := NewRouter(db, testCatalog, nil, nil, WithSearch(search.New(db, search.Config{}, nil)))
	m, err := r.Handle(t.Context(), Request{Dest: news.Destination{Platform: news.Slack, Chat: "C1"}, Command: "search", Args: []string{"grain"}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(m.Text())); n > 4096 {
		t.Errorf("reply is %d characters", n)
	}
	for _, b := range m.Blocks {
		if n := len([]rune(Message{Blocks: []Block{b}}.Text())); n > 1000 {
			t.Errorf("a block of %d characters", n)
		}
	}
}

func TestSearchSessions(t *testing.T) {
	ss := &searches{last: map[string]searchSession{}}
	for i := range maxSessions + 10 {
		ss.put(fmt.Sprint(i), searchSession{query: "q", at: routerNow.Add(time.Duration(i) * time.Second)})
	}
	if len(ss.last) > maxSessions {
		t.Errorf("%d sessions kept, want at most %d", len(ss.last), maxSessions)
	}
	if _, ok := ss.get("0", routerNow); ok {
		t.Error("the oldest session survived")
	}
	if _, ok := ss.get(fmt.Sprint(maxSessions+9), routerNow.Add(searchKept+4*time.Hour)); ok {
		t.Error("an expired session can be continued")
	}
}

// The "More results" button continues the search it was shown under, and
// only that one.
func TestSearchMoreButton(t *testing.T) {
	r := searchRouter(t, 12)
	chat := news.Destination{Platform: news.Telegram, Chat: "-100"}
	run := func(args ...string) Message {
		t.Helper()
		m, err := r.Handle(t.Context(), Request{Dest: chat, Command: "search", Args: args, Prefix: "/"})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	first := run("grain")
	if len(first.Actions) != 1 || first.Actions[0].Label != "More results" {
		t.Fatalf("actions %+v; want one More results button", first.Actions)
	}
	button := first.Actions[0]
	a, ok := ParseAction(button.Data())
	if !ok || a.Command != "search" || fmt.Sprint(a.Args) != fmt.Sprint(button.Args) {
		t.Fatalf("ParseAction(%q) = %+v, %t", button.Data(), a, ok)
	}
	second := run(a.Args...)
	if !strings.Contains(second.Text(), "6. ") || strings.Contains(second.Text(), "earlier search") {
		t.Errorf("pressing More: %s", second.Text())
	}
	// A newer search: the first one's button no longer continues anything.
	run("wheat")
	if got := run(a.Args...).Text(); !strings.Contains(got, "Those results are from an earlier search") {
		t.Errorf("an old button after a new search: %s", got)
	}
	// The last page has no button.
	last := run("nato")
	if len(last.Actions) != 0 {
		t.Errorf("a single page has actions %+v", last.Actions)
	}
	for _, bad := range []string{"search more", "status", "search more #x", "subscribe nato", "search more #1 #2", ""} {
		if a, ok := ParseAction(bad); ok {
			t.Errorf("ParseAction(%q) = %+v; want it refused", bad, a)
		}
	}
}
