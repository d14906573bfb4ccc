package watchers

import (
	"context"
	"errors"
	"fmt"

	"herald/news"
)

// Discovered is the feed found behind a URL.
type Discovered struct {
	// URL is the feed's URL: the one given when it serves a feed (or where
	// it permanently redirects), else the feed its page advertises.
	URL string
	// Title is the feed's own title, possibly empty.
	Title string
	// Items counts the feed's items.
	Items int
}

// Discover finds the feed behind rawURL, which is to become the feed named
// name: rawURL itself when it serves a feed, else the feed its HTML page
// advertises with <link rel="alternate" type="application/rss+xml" ...>,
// fetched to check that it is one. An untrusted URL (from an OPML file or a
// chat) may not reach private addresses unless Options.AllowPrivate is set.
// The errors are Fetch's; ErrNotFeed when the page advertises no feed.
func (w *Watcher) Discover(ctx context.Context, name, rawURL string, untrusted bool) (Discovered, error) {
	feed := news.Feed{Name: name, URL: rawURL, Untrusted: untrusted}
	f, err := w.Fetch(ctx, feed, news.FeedState{})
	if err == nil {
		return Discovered{URL: f.URL, Title: f.Title, Items: len(f.Items)}, nil
	}
	nf, ok := errors.AsType[*NotFeedError](err)
	if !ok {
		return Discovered{}, err
	}
	feed.URL = nf.Alternate
	if feed.IsFile() {
		return Discovered{}, fmt.Errorf("watchers: feed %q: the page at %s advertises %q, which is not an http(s) URL", name, redact(rawURL), nf.Alternate)
	}
	f, err = w.Fetch(ctx, feed, news.FeedState{})
	if err != nil {
		return Discovered{}, err
	}
	return Discovered{URL: f.URL, Title: f.Title, Items: len(f.Items)}, nil
}
