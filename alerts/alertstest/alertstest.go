// Package alertstest builds real alerts from real articles for the platform
// adapters' golden tests: the seed article (when ../shared is present) and
// three of summary's test articles, each matched, summarised and given its
// quotes by the same code that builds alerts in production.
package alertstest

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"herald/alerts"
	"herald/news"
	"herald/rules"
	"herald/summary"
)

// Article is one golden case: a name for its golden file and the alert.
type Article struct {
	Name  string
	Alert news.Alert
}

// articles are the inputs: a file (relative to the repository root), its
// title, and the rule that makes it alert.
var articles = []struct {
	name, path, title, query string
}{
	{"seed", "../shared/fixtures/seed-article.txt", "NATO foreign ministers back a bigger role in Ukraine aid", "@nuc"},
	{"rates", "summary/testdata/rates.txt", "Northern Monetary Authority holds rates, signals June cut", `"interest rate" OR rates`},
	{"flood", "summary/testdata/flood.txt", "Riverton floodwaters recede after record crest", "flood* Riverton"},
	{"greve", "summary/testdata/greve.txt", "Grève des contrôleurs aériens : un vol sur trois annulé à Paris", "grève OR greve"},
}

// root is the repository root, found from this file's place in it.
func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Articles returns the golden alerts. The seed is skipped when ../shared is
// absent, so the project tests on its own.
func Articles(t testing.TB) []Article {
	t.Helper()
	set, err := rules.Compile(ruleList(), []rules.Entity{{ID: "nuc", Name: "NATO-Ukraine Council"}})
	if err != nil {
		t.Fatal(err)
	}
	// The alerts as the pipeline makes them with the default settings.
	topics := &alerts.Topics{Entities: map[string]string{"nuc": "NATO-Ukraine Council"}}
	var out []Article
	for _, a := range articles {
		data, err := os.ReadFile(filepath.Join(root(), a.path))
		if err != nil {
			if a.name == "seed" && os.IsNotExist(err) {
				t.Logf("no seed article at %s; its golden case is skipped", a.path)
				continue
			}
			t.Fatal(err)
		}
		it := news.Item{
			Feed: "wire", ID: a.name, Title: a.title, Content: strings.ReplaceAll(string(data), "\r\n", "\n"),
			Link:      "https://wire.example.org/" + a.name,
			Published: time.Date(2026, 11, 18, 16, 40, 0, 0, time.UTC),
		}
		alerts.Prepare(&it)
		var match *news.Match
		for _, m := range set.Match(alerts.Doc(it, nil)) {
			if m.Rule == a.name {
				match = &m
			}
		}
		if match == nil {
			t.Fatalf("rule %q does not match its article %s", a.query, a.path)
		}
		out = append(out, Article{Name: "article-" + a.name, Alert: topics.Alert(it, *match, summaryQuotes(it))})
	}
	return out
}

func ruleList() []rules.Rule {
	out := make([]rules.Rule, len(articles))
	for i, a := range articles {
		out[i] = rules.Rule{Name: a.name, Query: a.query}
	}
	return out
}

// summaryQuotes are the article's quotes, as the pipeline finds them.
func summaryQuotes(it news.Item) []news.Quote { return summary.Quotes(it.Text) }
