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
// Input larger than max bytes, or that is not text, is refused without
// being read whole.
func readItems(path string, stdin io.Reader, max int64) ([]news.Item, error) {
	name := path
	if path == "-" {
		name = "stdin"
	}
	data, err := readInput(path, stdin, max)
	if err != nil {
		return nil, err
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

// readInput reads at most max bytes of the file at path (stdin for "-"),
// and refuses more than that, or bytes that are not text, saying what to
// do. A regular file's size is checked before reading it; stdin is read up
// to max+1 bytes and no further.
func readInput(path string, stdin io.Reader, max int64) ([]byte, error) {
	name, r := "stdin", stdin
	if path != "-" {
		name = path
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, unwrapPath(err))
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, unwrapPath(err))
		}
		if fi.IsDir() {
			return nil, fmt.Errorf("%s is a folder; name a feed file, an .html article or a .txt article", name)
		}
		if fi.Mode().IsRegular() && fi.Size() > max {
			return nil, tooBig(name, max)
		}
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, unwrapPath(err))
	}
	if int64(len(data)) > max {
		return nil, tooBig(name, max)
	}
	if !looksLikeText(data) {
		return nil, fmt.Errorf("%s is not text (it holds binary bytes, such as NUL); give a feed file, an .html article or a .txt article", name)
	}
	return data, nil
}

func tooBig(name string, max int64) error {
	return fmt.Errorf("%s is larger than watchers.max_body (%d bytes), the most herald reads of a feed or article; give a smaller file, or raise watchers.max_body in the config", name, max)
}

// looksLikeText reports whether data is text in some encoding: UTF-16 with
// its byte order mark, or else no NUL byte and hardly any other control
// characters (form feeds and the odd escape do occur in real articles).
func looksLikeText(data []byte) bool {
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		return true
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return false
	}
	controls := 0
	for _, b := range data {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' || b == 0x7f {
			controls++
		}
	}
	return controls*100 <= len(data)
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
