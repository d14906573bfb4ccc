package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"herald/rules"
	"herald/search"
)

// Searcher answers /search; *search.Engine is one.
type Searcher interface {
	Search(ctx context.Context, query string, from search.Cursor, n int) (search.Page, error)
}

// RouterOption configures a Router beyond NewRouter's arguments.
type RouterOption func(*Router)

// WithSearch answers /search with s. Without it, /search says that search
// is not available.
func WithSearch(s Searcher) RouterOption {
	return func(r *Router) { r.search = &searches{s: s, last: map[string]searchSession{}} }
}

// Limits of /search.
const (
	// SearchPage is how many results one /search reply shows.
	SearchPage = 5
	// searchKept is how long a chat's last search can be continued with /search more.
	searchKept = 24 * time.Hour
	// maxSessions bounds the chats whose last search is kept.
	maxSessions = 10000
)

// searches is /search's state: the searcher, and per chat the last search
// and where it stopped, for /search more.
type searches struct {
	s    Searcher
	mu   sync.Mutex
	last map[string]searchSession
	seq  uint32 // the id of the last search started
}

// searchSession is a chat's last search.
type searchSession struct {
	id    uint32 // tells a "More" button of this search from an older one's
	query string
	next  search.Cursor
	shown int // results shown so far
	at    time.Time
}

func (ss *searches) get(chat string, now time.Time) (searchSession, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.last[chat]
	if ok && now.Sub(s.at) > searchKept {
		delete(ss.last, chat)
		return searchSession{}, false
	}
	return s, ok
}

func (ss *searches) put(chat string, s searchSession) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if _, ok := ss.last[chat]; !ok && len(ss.last) >= maxSessions {
		// Make room: forget expired searches, else the oldest.
		oldest, at := "", s.at
		for k, v := range ss.last {
			if s.at.Sub(v.at) > searchKept {
				delete(ss.last, k)
			} else if v.at.Before(at) {
				oldest, at = k, v.at
			}
		}
		if len(ss.last) >= maxSessions {
			delete(ss.last, oldest)
		}
	}
	ss.last[chat] = s
}

// nextID returns the id of a new search.
func (ss *searches) nextID() uint32 {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.seq++
	return ss.seq
}

func (ss *searches) drop(chat string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.last, chat)
}

// searchCmd answers /search <query> and /search more.
func (r *Router) searchCmd(ctx context.Context, req Request) (Message, error) {
	if r.search == nil {
		return msg(Para(Plain("Search is not available in this herald."))), nil
	}
	if len(req.Args) == 0 {
		return r.searchUsage(req), nil
	}
	chat := req.Dest.String()
	now := r.now()
	query := strings.Join(req.Args, " ")
	var sess searchSession
	if a, button := ParseAction("search " + query); button || len(req.Args) == 1 && strings.EqualFold(req.Args[0], "more") {
		s, ok := r.search.get(chat, now)
		if button && (!ok || "#"+strconv.FormatUint(uint64(s.id), 10) != a.Args[1]) {
			return msg(Para(Plain("Those results are from an earlier search, which has ended or been replaced by a newer one. Send "),
				Cmd(req.Prefix+"search <words>"), Plain(" to search again."))), nil
		}
		if !ok {
			return msg(Para(Plain("There is no search to continue here. Send "), Cmd(req.Prefix+"search <words>"),
				Plain("; to look for the word “more”, write "), Cmd(req.Prefix+`search "more"`), Plain("."))), nil
		}
		sess = s
	} else {
		sess = searchSession{query: query, id: r.search.nextID()}
	}
	page, err := r.search.s.Search(ctx, sess.query, sess.next, SearchPage)
	if err != nil {
		var qe *rules.Error
		if errors.As(err, &qe) {
			r.search.drop(chat)
			return r.searchSyntax(req, sess.query, qe), nil
		}
		return failed("search "+sess.query, err)
	}
	m := msg(r.searchHead(req, sess, page))
	for i, res := range page.Results {
		m.Add(r.searchResult(sess.shown+i+1, res))
	}
	sess.shown += len(page.Results)
	switch {
	case page.More:
		sess.next, sess.at = page.Next, now
		r.search.put(chat, sess)
		m.Add(Para(Plain("More: "), Cmd(req.Prefix+"search more")))
		m.Actions = []Action{{Label: "More results", Command: "search", Args: []string{"more", "#" + strconv.FormatUint(uint64(sess.id), 10)}}}
	default:
		r.search.drop(chat)
	}
	return m, nil
}

// searchHead is the first paragraph of a reply: what was searched, and how
// it went.
func (r *Router) searchHead(req Request, sess searchSession, page search.Page) Block {
	order := "newest first"
	if page.Relevance {
		order = "best matches first"
	}
	q := Code(Shorten(Clean(sess.query), 200))
	switch {
	case len(page.Results) > 0 && sess.shown == 0:
		return Para(Bold("Search: "), q, Plain(" — "+order))
	case len(page.Results) > 0:
		return Para(Bold("Search (continued): "), q, Plain(" — "+order))
	case page.More:
		return Para(Plain("No matches among the next stored articles for "), q,
			Plain("; older ones may still match."))
	case sess.shown > 0:
		return Para(Plain("No more articles match "), q, Plain("."))
	}
	return Para(Plain("No stored article matches "), q, Plain(". Try fewer words, or a prefix such as "), Code("ukrain*"), Plain("."))
}

// searchResult lays out one result: its number and linked title, source and
// date, and the snippet with the matched words in bold.
func (r *Router) searchResult(n int, res search.Result) Block {
	title := Shorten(Clean(res.Title), 200)
	if title == "" {
		title = "(untitled)"
	}
	meta := []string{Clean(res.Feed)}
	if !res.Published.IsZero() {
		meta = append(meta, When(res.Published, r.now(), r.loc))
	}
	head := Line{Plain(fmt.Sprintf("%d. ", n)), Link(title, SafeURL(res.Link)), Italic(" — " + strings.Join(meta, " · "))}
	b := Block{Kind: KindParagraph, Lines: []Line{head}}
	var snip Line
	for _, f := range res.Snippet {
		if f.Hit {
			snip = append(snip, Bold(f.Text))
		} else {
			snip = append(snip, Plain(f.Text))
		}
	}
	if len(snip) > 0 {
		b.Lines = append(b.Lines, snip)
	}
	return b
}

// searchSyntax answers a query that does not parse: the problem, the
// query with the place marked, and a reminder of the syntax.
func (r *Router) searchSyntax(req Request, query string, qe *rules.Error) Message {
	off := min(max(qe.Offset, 0), len(query))
	for off > 0 && !utf8.RuneStart(query[off]) {
		off--
	}
	col := utf8.RuneCountInString(query[:off]) + 1
	return msg(
		Para(Plain(fmt.Sprintf("I could not read that search (at character %d): %s", col, qe.Msg))),
		Para(Code(query[:off]+"▸"+query[off:])),
		r.searchSyntaxHelp(req),
	)
}

func (r *Router) searchUsage(req Request) Message {
	return msg(
		Para(Plain("Search every article herald has stored: "), Cmd(req.Prefix+"search <query>"),
			Plain(", such as "), Cmd(req.Prefix+`search "black sea" grain since:7d`), Plain(". Results come newest first, "),
			Plain(fmt.Sprintf("%d at a time; ", SearchPage)), Cmd(req.Prefix+"search more"), Plain(" shows the next ones.")),
		r.searchSyntaxHelp(req),
	)
}

func (r *Router) searchSyntaxHelp(Request) Block {
	return Para(Plain("A query is written as topics' rules are: words, "), Code(`"a phrase"`), Plain(", "), Code("ukrain*"),
		Plain(", "), Code("@entity"), Plain(", "), Code("AND"), Plain(" "), Code("OR"), Plain(" "), Code("NOT"), Plain(" or "), Code("-word"),
		Plain(", "), Code("a NEAR/5 b"), Plain(", "), Code("title:"), Plain(" "), Code("text:"), Plain(" "), Code("tag:"),
		Plain(" "), Code("author:"), Plain(" "), Code("feed:"), Plain(", "), Code("case:US"), Plain("; and "), Code("since:7d"),
		Plain(" or "), Code("since:2024-04-01"), Plain(", "), Code("sort:relevance"), Plain("."))
}
