package summary

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchArticles reads the articles of a glob under testdata, joined as one
// corpus per article.
func benchArticles(b *testing.B, glob string) []string {
	b.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", glob))
	if err != nil || len(files) == 0 {
		b.Fatalf("no articles for %s: %v", glob, err)
	}
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, PlainText(string(data)))
	}
	return out
}

// BenchmarkQuotes measures Quotes on typical articles (the English ones of
// testdata, and the articles in nine other languages), and on hostile ones:
// a long paragraph of nested guillemets that never close, a long dialogue
// paragraph whose every dash is followed by a speech verb, and 400
// paragraphs opening with a dash. Run with:
//
//	go test ./summary -run '^$' -bench Quotes -benchmem
func BenchmarkQuotes(b *testing.B) {
	nested := strings.Repeat("«Вони сказали «ні» і пішли, ", 2000)
	dialogue := "— " + strings.Repeat("Ми прийдемо, — сказав він, — ", 2000) + "завтра."
	dashes := strings.Repeat("— Так, це правда, — сказала вона.\n\n", 400)
	cases := []struct {
		name  string
		texts []string
	}{
		{"english", benchArticles(b, "*.txt")},
		{"multilingual", append(benchArticles(b, "ml/*.txt"), benchArticles(b, "fresh/*.txt")...)},
		{"hostile-nested-guillemets", []string{nested}},
		{"hostile-dialogue", []string{dialogue}},
		{"hostile-dash-paragraphs", []string{dashes}},
	}
	for _, c := range cases {
		size := 0
		for _, t := range c.texts {
			size += len(t)
		}
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				for _, t := range c.texts {
					Quotes(t)
				}
			}
		})
	}
}

// BenchmarkLanguage measures Language on a typical article and on the
// longest text it reads words of.
func BenchmarkLanguage(b *testing.B) {
	typical := benchArticles(b, "ml/pl-wino.txt")[0]
	long := strings.Repeat("Ministrowie spraw zagranicznych spotkali się we wtorek. ", 2000)
	for _, c := range []struct{ name, text string }{{"typical", typical}, {"long", long}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			for b.Loop() {
				Language(c.text)
			}
		})
	}
}
