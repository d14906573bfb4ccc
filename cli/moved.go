package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"gopkg.in/yaml.v3"

	"herald/config"
)

// moveFeedURL returns config text in which the url of the feed named name
// reads newURL instead of oldURL, the rest of the file as it was. It refuses,
// saying why, when the feed is not in the feeds: list, when its url is not
// written there as oldURL (an environment variable, say), or when the move
// is not one to write without asking: to or from a URL with credentials, or
// from https to http.
func moveFeedURL(data []byte, name, oldURL, newURL string) ([]byte, error) {
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

// MoveFeed writes a feed's new URL into the config file after a permanent
// redirect, as moveFeedURL allows; the reload then polls it there, with the
// feed's state kept. It reports why not when it cannot.
func (a *configEditor) MoveFeed(_ context.Context, name, oldURL, newURL string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return config.Edit(a.c.configPath, a.c.env.Getenv, "the new url", func(_ *config.Config, data []byte) ([]byte, error) {
		return moveFeedURL(data, name, oldURL, newURL)
	})
}
