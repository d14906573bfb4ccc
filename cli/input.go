package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"herald/news"
	"herald/summary"
	"herald/watchers"
)

// readItems reads the articles in one input named on the command line: a
// feed file (RSS, Atom, JSON Feed), an .html article, or a .txt article
// (first line the title, a blank line, then the body); "-" reads stdin.
func readItems(path string, stdin io.Reader) ([]news.Item, error) {
	var data []byte
	var err error
	name := path
	if path == "-" {
		name = "stdin"
		data, err = io.ReadAll(io.LimitReader(stdin, 64<<20))
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, unwrapPath(err))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s is empty; give a feed file, an .html article or a .txt article", name)
	}
	switch kind := sniff(path, data); kind {
	case "feed":
		items, err := watchers.Parse(data, feedName(path))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(items) == 0 {
			return nil, fmt.Errorf("%s: the feed has no items", name)
		}
		return items, nil
	case "html":
		return []news.Item{htmlArticle(data, path)}, nil
	default:
		return []news.Item{textArticle(data, path)}, nil
	}
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func feedName(path string) string {
	if path == "-" {
		return "stdin"
	}
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
}

// sniff decides how to read an input: by extension first, then by content.
func sniff(path string, data []byte) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".txt", ".text", ".md":
		return "text"
	case ".html", ".htm", ".xhtml":
		return "html"
	case ".xml", ".rss", ".atom", ".rdf", ".json":
		return "feed"
	}
	head := strings.ToLower(string(bytes.TrimSpace(bytes.TrimPrefix(data[:min(len(data), 1024)], []byte("\xef\xbb\xbf")))))
	switch {
	case strings.HasPrefix(head, "{"):
		return "feed"
	case strings.HasPrefix(head, "<!doctype html"), strings.HasPrefix(head, "<html"):
		return "html"
	case strings.HasPrefix(head, "<?xml"), strings.HasPrefix(head, "<rss"), strings.HasPrefix(head, "<feed"), strings.HasPrefix(head, "<rdf"):
		return "feed"
	}
	return "text"
}

// textArticle reads the .txt convention: the first non-empty line is the
// title; the rest, after a blank line, is the body with paragraphs separated
// by blank lines.
func textArticle(data []byte, path string) news.Item {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	s = strings.TrimPrefix(s, "\ufeff")
	s = strings.TrimLeft(s, "\n")
	title, body, _ := strings.Cut(s, "\n")
	return news.Item{
		Feed:  feedName(path),
		ID:    path,
		Title: summary.Title(title), // no dateline starts a title
		Text:  summary.PlainText(body),
	}
}

// htmlArticle takes the title from og:title, the first <h1> or <title>, and
// the body from <article>, else <main>, else <body>.
func htmlArticle(data []byte, path string) news.Item {
	it := news.Item{Feed: feedName(path), ID: path}
	doc, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		it.Text = summary.PlainText(string(data))
		return it
	}
	var ogTitle, h1, title, canonical string
	var article, main, body *html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Meta:
				if attr(n, "property") == "og:title" && ogTitle == "" {
					ogTitle = attr(n, "content")
				}
				if attr(n, "property") == "og:url" && canonical == "" {
					canonical = attr(n, "content")
				}
			case atom.Link:
				if attr(n, "rel") == "canonical" {
					canonical = attr(n, "href")
				}
			case atom.Title:
				if title == "" {
					title = textOf(n)
				}
			case atom.H1:
				if h1 == "" {
					h1 = textOf(n)
				}
			case atom.Article:
				if article == nil {
					article = n
				}
			case atom.Main:
				if main == nil {
					main = n
				}
			case atom.Body:
				body = n
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, t := range []string{ogTitle, h1, title} {
		if t = strings.TrimSpace(t); t != "" {
			it.Title = strings.Join(strings.Fields(t), " ")
			break
		}
	}
	it.Link = canonical
	root := body
	if main != nil {
		root = main
	}
	if article != nil {
		root = article
	}
	if root != nil {
		var buf bytes.Buffer
		for c := root.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.DataAtom == atom.H1 && textOf(c) == h1 {
				continue // the headline is the title, not the body
			}
			_ = html.Render(&buf, c)
		}
		it.Content = buf.String()
	}
	it.Text = summary.PlainText(it.Content)
	return it
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}
