package watchers

import (
	"net/http"
	"net/netip"
	"testing"
	"time"

	"herald/news"
)

func TestFreshFor(t *testing.T) {
	now := time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		h    http.Header
		want time.Duration
	}{
		{"nothing", http.Header{}, 0},
		{"max-age", http.Header{"Cache-Control": {"public, max-age=600"}}, 10 * time.Minute},
		{"quoted max-age", http.Header{"Cache-Control": {`max-age="60"`}}, time.Minute},
		{"no-cache wins", http.Header{"Cache-Control": {"no-cache, max-age=600"}}, 0},
		{"max-age over Expires", http.Header{"Cache-Control": {"max-age=60"}, "Expires": {now.Add(time.Hour).Format(http.TimeFormat)}}, time.Minute},
		{"Expires from Date", http.Header{"Date": {now.Add(-time.Hour).Format(http.TimeFormat)}, "Expires": {now.Format(http.TimeFormat)}}, time.Hour},
		{"Expires from now", http.Header{"Expires": {now.Add(30 * time.Minute).Format(http.TimeFormat)}}, 30 * time.Minute},
		{"Expires 0", http.Header{"Expires": {"0"}}, 0},
		{"Expires past", http.Header{"Expires": {now.Add(-time.Hour).Format(http.TimeFormat)}}, 0},
		{"absurd max-age", http.Header{"Cache-Control": {"max-age=99999999999"}}, maxRetryAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := freshFor(tt.h, now); got != tt.want {
				t.Errorf("freshFor = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRSSTTL(t *testing.T) {
	tests := []struct {
		doc  string
		want time.Duration
	}{
		{`<rss><channel><ttl>60</ttl><item><title>x</title></item></channel></rss>`, time.Hour},
		{`<rss><channel><ttl> 15 </ttl></channel></rss>`, 15 * time.Minute},
		{`<rss><channel><item><ttl>60</ttl></item></channel></rss>`, 0},
		{`<rss><channel><ttl>soon</ttl></channel></rss>`, 0},
	}
	for _, tt := range tests {
		if got := rssTTL([]byte(tt.doc)); got != tt.want {
			t.Errorf("rssTTL(%s) = %v, want %v", tt.doc, got, tt.want)
		}
	}
}

func TestPublicAddress(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.216.34":          true,
		"2606:2800:220:1::1":     true,
		"127.0.0.1":              false,
		"::1":                    false,
		"10.1.2.3":               false,
		"172.16.0.1":             false,
		"192.168.1.1":            false,
		"169.254.169.254":        false, // cloud metadata
		"100.64.0.1":             false,
		"0.0.0.0":                false,
		"::":                     false,
		"fd00::1":                false,
		"fe80::1":                false,
		"::ffff:127.0.0.1":       false,
		"::ffff:93.184.216.34":   true,
		"224.0.0.1":              false,
		"255.255.255.255":        false,
		"64:ff9b::7f00:1":        false,
		"2002:c0a8:101::1":       false,
		"198.18.0.1":             false,
		"2001:db8::1":            false,
		"192.0.0.8":              false,
		"2a00:1450:4001:82b::e":  true,
		"8.8.8.8":                true,
		"100.128.0.1":            true,
		"172.32.0.1":             true,
		"2002:5db8:d822::1":      true, // 6to4 of a public address
		"::ffff:169.254.169.254": false,
	} {
		if got := publicAddress(netip.MustParseAddr(addr)); got != want {
			t.Errorf("publicAddress(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestPublishingGap(t *testing.T) {
	now := time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)
	at := func(ago ...time.Duration) []news.Item {
		var items []news.Item
		for _, d := range ago {
			items = append(items, news.Item{Published: now.Add(-d)})
		}
		return items
	}
	if _, ok := publishingGap([]news.Item{{}, {}}, now); ok {
		t.Error("undated items gave a gap")
	}
	if gap, _ := publishingGap(at(time.Hour), now); gap != time.Hour {
		t.Errorf("one item an hour old: gap %v, want 1h", gap)
	}
	// Order does not matter, and only the ten newest count.
	items := at(40*time.Minute, 10*time.Minute, 30*time.Minute, 20*time.Minute)
	for i := range 20 {
		items = append(items, news.Item{Published: now.Add(-time.Duration(100+i) * time.Hour)})
	}
	if gap, _ := publishingGap(items, now); gap != 105*time.Hour/10 {
		t.Errorf("gap %v, want 10h30m: the tenth newest item is 105 h old", gap)
	}
	if gap, _ := publishingGap(at(10*time.Minute, 20*time.Minute, 30*time.Minute, 40*time.Minute), now); gap != 10*time.Minute {
		t.Errorf("four items 10 min apart: gap %v, want 10m", gap)
	}
}

func TestSchedulerPerHost(t *testing.T) {
	s := newScheduler(1)
	now := time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)
	mk := func(name, url string, due time.Duration) *entry {
		f := news.Feed{Name: name, URL: url}
		e := &entry{feed: f, host: hostOf(f), index: -1}
		s.schedule(e, now.Add(due))
		return e
	}
	a1 := mk("a1", "https://a.example/1", 0)
	a2 := mk("a2", "https://A.example:8443/2", time.Second)
	b := mk("b", "https://b.example/", 2*time.Second)
	later := mk("later", "https://c.example/", time.Hour)
	file := mk("file", "/srv/feed.xml", 3*time.Second)
	at := now.Add(10 * time.Second)
	if e := s.next(at); e != a1 {
		t.Fatalf("first %v, want a1", e.feed.Name)
	}
	// a2 waits for a.example, b and the file feed go ahead of it.
	if e := s.next(at); e != b {
		t.Fatalf("second %v, want b (a2 waits for its host)", e.feed.Name)
	}
	if e := s.next(at); e != file {
		t.Fatalf("third %v, want the file feed", e.feed.Name)
	}
	if e := s.next(at); e != nil {
		t.Fatalf("fourth %v, want none due", e.feed.Name)
	}
	if !a2.waiting {
		t.Error("a2 is not waiting for its host")
	}
	if w := s.wait(at, time.Minute); w != time.Minute {
		t.Errorf("wait %v, want the cap (later is due in 50 min)", w)
	}
	s.done(a1)
	if e := s.next(at); e != a2 {
		t.Fatalf("after a1: %v, want a2", e)
	}
	// A feed dropped while it waits is not handed out.
	s.schedule(a1, now)
	if e := s.next(at); e != nil {
		t.Fatalf("a1 again while a2 runs: %v", e.feed.Name)
	}
	a1.gone = true
	s.done(a2)
	if e := s.next(at); e != nil {
		t.Errorf("a dropped feed came back: %v", e.feed.Name)
	}
	s.unschedule(later)
	if len(s.heap) != 0 {
		t.Errorf("%d entries left in the heap", len(s.heap))
	}
}
