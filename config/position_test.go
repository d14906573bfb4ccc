package config

import (
	"fmt"
	"strings"
	"testing"
)

// posOfMarker is the line:col (columns in characters) where marker stands in text.
func posOfMarker(t *testing.T, text, marker string) string {
	t.Helper()
	i := strings.Index(text, marker)
	if i < 0 || strings.Count(text, marker) != 1 {
		t.Fatalf("marker %q is not once in:\n%s", marker, text)
	}
	line := strings.Count(text[:i], "\n") + 1
	col := len([]rune(text[strings.LastIndex(text[:i], "\n")+1:i])) + 1
	return fmt.Sprintf("%d:%d", line, col)
}

// A rule error inside a multi-line query points at the offending character
// in the file, in every YAML scalar style, on the query's 2nd and 3rd line.
func TestQueryErrorPositionsInEveryStyle(t *testing.T) {
	styles := map[string]func(lines []string) string{
		"literal": func(l []string) string { return "|\n      " + strings.Join(l, "\n      ") + "\n" },
		"literal keep, indent indicator, comment": func(l []string) string {
			return "|+2   # the query\n        " + strings.Join(l, "\n        ") + "\n\n"
		},
		"folded":       func(l []string) string { return ">-\n      " + strings.Join(l, "\n      ") + "\n" },
		"folded blank": func(l []string) string { return ">\n      " + strings.Join(l, "\n\n      ") + "\n" },
		"plain":        func(l []string) string { return strings.Join(l, "\n      ") + "\n" },
		"single-quoted": func(l []string) string {
			return "'" + strings.Join(l, "\n      ") + " OR ''it''''s'''\n"
		},
		"double-quoted": func(l []string) string {
			return `"` + strings.Join(l, "\n      ") + ` OR \"x\u0041\""` + "\n"
		},
		"double-quoted with escaped line breaks": func(l []string) string {
			return `"` + strings.Join(l, " \\\n      ") + `"` + "\n"
		},
	}
	bad := []struct{ name, line, marker string }{
		{"unknown entity", `OR @nope`, "@nope"},
		{"unclosed group", `OR (grain`, "(grain"},
	}
	for style, write := range styles {
		for _, b := range bad {
			for _, at := range []int{1, 2} { // the 2nd and the 3rd line of the query
				lines := []string{`"black sea" OR grain`, `OR wheat`, `OR maize`}
				lines[at] = strings.Replace(lines[at], "OR", "OR \u00e9t\u00e9 "+b.line, 1)
				switch {
				case style == "plain":
					lines[0] = `grain OR "black sea"`
				case style == "single-quoted":
					lines[0] = `''black sea'' OR ports`
				case strings.HasPrefix(style, "double-quoted"):
					lines[0] = `\"black sea\" OR ports`
				}
				text := "feeds: []\nrules:\n  - name: r\n    query: " + write(lines)
				t.Run(fmt.Sprintf("%s/%s/line %d", style, b.name, at+1), func(t *testing.T) {
					_, err := Parse("config.yaml", []byte(text), noEnv)
					if err == nil {
						t.Fatalf("no error for:\n%s", text)
					}
					want := "config.yaml:" + posOfMarker(t, text, b.marker) + `: rule "r": `
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error:\n%v\nwant it at %s in:\n%s", err, want, text)
					}
				})
			}
		}
	}
}

func TestUnknownFeedNamesInRules(t *testing.T) {
	for _, tc := range []struct{ name, rule, want string }{
		{"feed: term", "query: 'grain AND feed:wires'", `config.yaml:6:23: rule "r": feed:wires names no feed defined under feeds:, so it never matches an item; did you mean "wire"?`},
		{"feed: term in exclude", "query: grain\n    exclude: |\n      sport\n      feed:\"farm newz\"", `config.yaml:9:7: rule "r": exclude: feed:"farm newz" names no feed defined under feeds:, so it never matches an item; did you mean "farm-news"?`},
		{"nothing close", "query: feed:zzzzzz", `rule "r": feed:zzzzzz names no feed defined under feeds:, so it never matches an item; the feeds are: wire, farm-news`},
		{"rule feeds", "query: grain\n    feeds: [wire, farmnews]", `config.yaml:7:19: rule "r": feeds[1] "farmnews" is not a feed defined under feeds:; did you mean "farm-news"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := "feeds:\n  - {name: wire, url: 'https://w.example/rss'}\n  - {name: farm-news, url: 'https://f.example/rss'}\nrules:\n  - name: r\n    " + tc.rule + "\n"
			_, err := Parse("config.yaml", []byte(text), noEnv)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error:\n%v\nwant %s", err, tc.want)
			}
		})
	}
	// A feed: term that names a feed, in any case or spelling of its words, is fine.
	text := "feeds:\n  - {name: farm-news, url: 'https://f.example/rss'}\nrules:\n  - name: r\n    query: 'grain feed:Farm-News'\n"
	if _, err := Parse("config.yaml", []byte(text), noEnv); err != nil {
		t.Error(err)
	}
}
