package summary_test

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"herald/news"
	"herald/summary"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden renders what an alert shows of an article, LeadFor and Pick's
// two quotations with their speakers, for the seed and three of our
// articles, and compares it with testdata/golden/*.golden. Run with -update
// to rewrite them after a deliberate change, and read the diff.
func TestGolden(t *testing.T) {
	tests := []struct {
		name, path, title string
		hits              []news.Hit
	}{
		{
			name:  "seed",
			path:  seedPath,
			title: "NATO ministers back bigger role in coordinating aid to Ukraine",
			hits:  []news.Hit{{Term: "@nuc", Field: "text", Text: "NATO-Ukraine Council"}},
		},
		{
			name:  "rates",
			path:  filepath.Join("testdata", "rates.txt"),
			title: "Northern Monetary Authority holds rates, signals June cut",
			hits:  []news.Hit{{Term: `"wage settlements"`, Field: "text", Text: "wage settlements"}},
		},
		{
			name:  "flood",
			path:  filepath.Join("testdata", "flood.txt"),
			title: "Riverton floodwaters recede after record rise of the Ash River",
			hits:  []news.Hit{{Term: "ellison", Field: "text", Text: "Ellison"}, {Term: "riverton", Field: "title", Text: "Riverton"}},
		},
		{
			name:  "greve",
			path:  filepath.Join("testdata", "greve.txt"),
			title: "Grève des contrôleurs aériens : un vol sur trois annulé à Paris",
			hits:  []news.Hit{{Term: "orly", Field: "text", Text: "Orly"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := os.ReadFile(tt.path)
			if errors.Is(err, fs.ErrNotExist) && tt.path == seedPath {
				t.Skipf("seed article %s not present", seedPath)
			}
			if err != nil {
				t.Fatal(err)
			}
			text := summary.PlainText(string(b))
			got := render(tt.title, tt.hits, summary.LeadFor(tt.title, text, tt.hits), summary.Pick(summary.Quotes(text), tt.hits, 2))
			golden := filepath.Join("testdata", "golden", tt.name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./summary -run TestGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the golden file\n got:\n%s\nwant:\n%s", tt.name, got, want)
			}
		})
	}
}

// render writes the parts of an alert that summary chooses, one per line.
func render(title string, hits []news.Hit, lead string, quotes []news.Quote) string {
	var b strings.Builder
	fmt.Fprintf(&b, "title: %s\n", title)
	for _, h := range hits {
		fmt.Fprintf(&b, "hit:   %s in %s (%q)\n", h.Term, h.Field, h.Text)
	}
	fmt.Fprintf(&b, "lead:  %s\n", lead)
	for _, q := range quotes {
		if q.Speaker != "" {
			fmt.Fprintf(&b, "quote: “%s” — %s\n", q.Text, q.Speaker)
		} else {
			fmt.Fprintf(&b, "quote: “%s”\n", q.Text)
		}
	}
	return b.String()
}
