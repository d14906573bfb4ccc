package config

// Editing the config's YAML text so that only the lines a change needs
// move: the edits Edit applies for `herald feeds add`, `herald import`,
// /feeds add in chat and the write-back of a moved feed's URL.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"herald/rules"
)

// NewFeed is a feed to append to the config with AppendFeeds.
type NewFeed struct {
	// Name and URL are written as the feed's name: and url:.
	Name, URL string
	// Title, the feed's own, is written as a comment beside the name when
	// the name is not made of its words.
	Title string
	// Tags, when any, are written as a flow list, sorted.
	Tags []string
	// Origin is OriginOPML, OriginChat or empty.
	Origin string
}

// AppendFeeds returns config text with feeds appended to its feeds: list.
// A block list grows below its last entry, in its indentation; an empty
// `feeds:` or `feeds: []` becomes a block list; without a feeds: key, one is
// added at the end. A non-empty flow list is refused: it cannot grow
// without being rewritten.
func AppendFeeds(data []byte, feeds []NewFeed) ([]byte, error) {
	nl := "\n"
	if bytes.Contains(data, []byte("\r\n")) {
		nl = "\r\n"
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	insertAfter := func(line int, indent string) []byte {
		var b strings.Builder
		for _, l := range lines[:line] {
			b.WriteString(l)
		}
		if line > 0 && !strings.HasSuffix(lines[line-1], "\n") {
			b.WriteString(nl)
		}
		b.WriteString(renderFeeds(feeds, indent, nl))
		for _, l := range lines[line:] {
			b.WriteString(l)
		}
		return []byte(b.String())
	}
	var root *yaml.Node
	if len(doc.Content) == 1 && doc.Content[0].Kind == yaml.MappingNode {
		root = doc.Content[0]
	}
	if root == nil {
		if len(doc.Content) > 0 && !(doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].Tag == "!!null") {
			return nil, errors.New("the config is not a mapping of keys")
		}
	} else {
		for i := 0; i+1 < len(root.Content); i += 2 {
			key, val := root.Content[i], root.Content[i+1]
			if key.Value != "feeds" {
				continue
			}
			switch {
			case val.Kind == yaml.SequenceNode && val.Style&yaml.FlowStyle == 0 && len(val.Content) > 0:
				first := val.Content[0]
				dash := strings.LastIndex(lines[first.Line-1][:first.Column-1], "-")
				if dash < 0 {
					return nil, errors.New("cannot find where the feeds: list is indented")
				}
				end := lastLine(val.Content[len(val.Content)-1])
				for end < len(lines) && indentOf(lines[end]) > dash {
					end++
				}
				return insertAfter(end, strings.Repeat(" ", dash)), nil
			case val.Kind == yaml.SequenceNode && len(val.Content) == 0 && val.Style&yaml.FlowStyle != 0,
				val.Kind == yaml.ScalarNode && val.Tag == "!!null" && val.Value == "":
				l := lines[key.Line-1]
				if val.Kind == yaml.SequenceNode {
					l = strings.Replace(l, "[]", "", 1)
				}
				lines[key.Line-1] = l
				return insertAfter(key.Line, strings.Repeat(" ", key.Column-1+2)), nil
			case val.Kind == yaml.SequenceNode:
				return nil, errors.New("feeds: is a flow list ([...]); write it as a block list (one '- name: ...' entry per feed) to append to it")
			default:
				return nil, errors.New("feeds: is not a list")
			}
		}
	}
	var b strings.Builder
	b.Write(data)
	if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
		b.WriteString(nl)
	}
	b.WriteString(nl + "feeds:" + nl)
	b.WriteString(renderFeeds(feeds, "  ", nl))
	return []byte(b.String()), nil
}

// lastLine is the last line (1-based) any part of n starts on.
func lastLine(n *yaml.Node) int {
	last := n.Line
	for _, c := range n.Content {
		last = max(last, lastLine(c))
	}
	return last
}

// indentOf returns the indentation of a line that holds something, or -1
// for a blank line, so that a blank line ends an entry.
func indentOf(line string) int {
	trimmed := strings.TrimLeft(line, " ")
	if strings.TrimSpace(trimmed) == "" {
		return -1
	}
	return len(line) - len(trimmed)
}

// renderFeeds writes feeds as block list entries at indent.
func renderFeeds(feeds []NewFeed, indent, nl string) string {
	var b strings.Builder
	for _, f := range feeds {
		b.WriteString(indent + "- name: " + yamlScalar(f.Name, false))
		if t := titleLine(f.Title, 100); t != "" && rules.FeedWords(t) != rules.FeedWords(f.Name) {
			b.WriteString("  # " + t)
		}
		b.WriteString(nl)
		b.WriteString(indent + "  url: " + yamlScalar(f.URL, false) + nl)
		if len(f.Tags) > 0 {
			tags := make([]string, len(f.Tags))
			for i, t := range f.Tags {
				tags[i] = yamlScalar(t, true)
			}
			sort.Strings(tags)
			b.WriteString(indent + "  tags: [" + strings.Join(tags, ", ") + "]" + nl)
		}
		if f.Origin != "" {
			b.WriteString(indent + "  origin: " + yamlScalar(f.Origin, false) + nl)
		}
	}
	return b.String()
}

// yamlScalar writes s as a YAML scalar on one line, plain when it reads back
// as itself, else double-quoted. Inside a flow list ([a, b]) commas and
// brackets need quotes too.
func yamlScalar(s string, flow bool) string {
	special := "\t\r\n'\"`\\"
	if flow {
		special += ",[]{}"
	}
	plain := s != "" && s == strings.TrimSpace(s) && !strings.ContainsAny(s, special) &&
		!strings.Contains(s, ": ") && !strings.Contains(s, " #") && !strings.HasSuffix(s, ":") &&
		!strings.ContainsAny(s[:1], "-?:,[]{}#&*!|>%@")
	if plain {
		doc, read := "k: "+s, func(v any) any { return v }
		if flow {
			doc, read = "k: ["+s+"]", func(v any) any {
				if l, ok := v.([]any); ok && len(l) == 1 {
					return l[0]
				}
				return nil
			}
		}
		var v map[string]any
		if yaml.Unmarshal([]byte(doc), &v) == nil && read(v["k"]) == s {
			return s
		}
	}
	q, _ := json.Marshal(s) // a JSON string is a YAML double-quoted scalar
	return string(q)
}

// MoveFeedURL returns config text in which the url of the feed named name
// reads newURL instead of oldURL, the rest of the file as it was. It refuses,
// saying why, when the feed is not in the feeds: list, when its url is not
// written there as oldURL (an environment variable, say), or when the move
// is not one to write without asking: to or from a URL with credentials, or
// from https to http.
func MoveFeedURL(data []byte, name, oldURL, newURL string) ([]byte, error) {
	o, err1 := url.Parse(oldURL)
	n, err2 := url.Parse(newURL)
	switch {
	case err1 != nil || err2 != nil:
		return nil, errors.New("a URL does not parse")
	case o.User != nil || n.User != nil:
		return nil, errors.New("the URL carries credentials")
	case o.Scheme == "https" && n.Scheme != "https":
		return nil, fmt.Errorf("it moved from https to %s", n.Scheme)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	val := feedURLNode(&doc, name)
	if val == nil {
		return nil, fmt.Errorf("no feed %q with a url in the feeds: list", name)
	}
	lines := strings.SplitAfter(string(data), "\n")
	if val.Line < 1 || val.Line > len(lines) {
		return nil, errors.New("cannot find the url in the file")
	}
	line := lines[val.Line-1]
	// Columns count characters; find the byte offset of the value.
	at := byteOffset(line, val.Column-1)
	// How a URL is written in the value's style.
	var write func(u string) string
	switch val.Style {
	case 0:
		write = func(u string) string { return u }
	case yaml.SingleQuotedStyle:
		write = func(u string) string { return "'" + strings.ReplaceAll(u, "'", "''") + "'" }
	case yaml.DoubleQuotedStyle:
		write = func(u string) string { return `"` + u + `"` }
	default:
		return nil, errors.New("its url is written in a block style")
	}
	written := write(oldURL)
	if at < 0 || !strings.HasPrefix(line[at:], written) || val.Value != oldURL {
		return nil, errors.New("its url is not written there as it was polled (an environment variable, or escapes)")
	}
	lines[val.Line-1] = line[:at] + write(newURL) + line[at+len(written):]
	out := []byte(strings.Join(lines, ""))
	// The file must read back with exactly the new URL: a space and '#'
	// would start a comment in a plain value, a backslash an escape in a
	// double-quoted one.
	var back yaml.Node
	if err := yaml.Unmarshal(out, &back); err != nil {
		return nil, fmt.Errorf("the new URL would need quotes or escapes there: %w", err)
	}
	if v := feedURLNode(&back, name); v == nil || v.Value != newURL {
		return nil, errors.New("the new URL would need quotes or escapes there")
	}
	return out, nil
}

// feedURLNode finds the url value of the feed named name in a config document.
func feedURLNode(doc *yaml.Node, name string) *yaml.Node {
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "feeds" || root.Content[i+1].Kind != yaml.SequenceNode {
			continue
		}
		for _, f := range root.Content[i+1].Content {
			if f.Kind != yaml.MappingNode {
				continue
			}
			var nameVal, urlVal *yaml.Node
			for k := 0; k+1 < len(f.Content); k += 2 {
				switch f.Content[k].Value {
				case "name":
					nameVal = f.Content[k+1]
				case "url":
					urlVal = f.Content[k+1]
				}
			}
			if nameVal != nil && urlVal != nil && nameVal.Value == name && urlVal.Kind == yaml.ScalarNode {
				return urlVal
			}
		}
	}
	return nil
}

// byteOffset returns the byte offset of the col'th character (0-based) of
// line, or -1 past its end.
func byteOffset(line string, col int) int {
	for i := range line {
		if col == 0 {
			return i
		}
		col--
	}
	return -1
}

// titleLine folds a feed's title onto one line of at most max bytes, cut
// between characters, for the comment beside a new feed's name.
func titleLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max] + "…"
}
