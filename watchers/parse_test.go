package watchers_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"herald/news"
	"herald/watchers"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		want    []news.Item
	}{
		{
			name:    "rss",
			fixture: "rss.xml",
			want: []news.Item{
				{
					Feed:       "gazette",
					ID:         "gazette-1001",
					Title:      "Ferry service resumes after storm",
					Link:       "https://gazette.example/2024/ferry",
					Authors:    []string{"Mira Holm"},
					Categories: []string{"Transport", "Weather"},
					Published:  date("2024-03-05T08:30:00Z"),
					Content:    "<p>The ferry to the islands sails again, the harbour master said.</p>",
				},
				{
					// No GUID: the link is the ID.
					Feed:      "gazette",
					ID:        "/2024/pier",
					Title:     "Council approves new pier",
					Link:      "/2024/pier",
					Published: date("2024-03-04T18:00:00Z"),
					Content:   "<p>The council voted 7 to 2 for the pier.</p>",
				},
				{
					// Neither GUID nor link: a hash of title and content.
					Feed:    "gazette",
					ID:      news.ItemID("", "", "Lighthouse keeper retires", "After forty years, the keeper hands over the lamp."),
					Title:   "Lighthouse keeper retires",
					Content: "After forty years, the keeper hands over the lamp.",
				},
				// The fourth item repeats the first GUID and is dropped.
			},
		},
		{
			name:    "atom",
			fixture: "atom.xml",
			want: []news.Item{
				{
					Feed:       "observer",
					ID:         "tag:observer.example,2024:dam-inspection",
					Title:      "Dam inspection finds cracks",
					Link:       "https://observer.example/dam",
					Authors:    []string{"Jonas Berg", "Ana Ruiz"},
					Categories: []string{"infrastructure"},
					Published:  date("2024-03-06T08:15:00Z"),
					Content:    "<p>Engineers found hairline cracks in the dam wall.</p>",
				},
				{
					// No author of its own, no content, no published date.
					Feed:      "observer",
					ID:        "tag:observer.example,2024:school",
					Title:     "School reopens",
					Link:      "https://observer.example/school",
					Authors:   []string{"Observer Desk"},
					Published: date("2024-03-05T08:00:00Z"),
					Content:   "The village school reopens after repairs.",
				},
			},
		},
		{
			name:    "json feed",
			fixture: "feed.json",
			want: []news.Item{
				{
					Feed:       "post",
					ID:         "post-77",
					Title:      "Avalanche warning raised",
					Link:       "https://post.example/avalanche",
					Authors:    []string{"Lea Frei"},
					Categories: []string{"weather", "alps"},
					Published:  date("2024-03-07T06:00:00Z"),
					Content:    "<p>The warning level rose to 4.</p>",
				},
				{
					Feed:      "post",
					ID:        "post-78",
					Title:     "Pass road closed",
					Link:      "https://post.example/pass",
					Authors:   []string{"Post Newsroom"},
					Published: date("2024-03-07T06:30:00Z"),
					Content:   "The pass road is closed until Friday.",
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := watchers.Parse(readFixture(t, tt.fixture), tt.want[0].Feed)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d items, want %d: %+v", len(got), len(tt.want), got)
			}
			for i := range got {
				if got[i].Published.Location() != time.UTC {
					t.Errorf("item %d: Published %v is not in UTC", i, got[i].Published)
				}
				if !reflect.DeepEqual(got[i], tt.want[i]) {
					t.Errorf("item %d:\n got %+v\nwant %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	rss := readFixture(t, "rss.xml")
	tests := []struct {
		name string
		data []byte
		is   error  // when set, errors.Is must hold
		want string // a substring of the message
	}{
		{name: "html page", data: readFixture(t, "page.html"), is: watchers.ErrNotFeed, want: "links a feed at /feed.xml"},
		{name: "truncated xml", data: rss[:len(rss)/2], want: "watchers: parse: "},
		{name: "empty", data: []byte(" \n "), want: "empty document"},
		{name: "plain text", data: []byte("just some words"), want: "not RSS, Atom or JSON Feed"},
		{name: "broken json", data: []byte(`{"version": "https://jsonfeed.org/version/1.1", "items": [`), want: "watchers: parse: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := watchers.Parse(tt.data, "x")
			if err == nil {
				t.Fatalf("Parse succeeded with %d items, want an error", len(items))
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %q", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestParseEmptyFeed(t *testing.T) {
	items, err := watchers.Parse([]byte(`<rss version="2.0"><channel><title>Quiet</title></channel></rss>`), "quiet")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 0 {
		t.Errorf("got %d items, want none", len(items))
	}
}
