package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"herald/internal/fuzzy"
	"herald/news"
	"herald/rules"
)

func reflectValue(c *Config) reflect.Value { return reflect.ValueOf(c) }

var (
	entityID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)
	envRef   = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
)

// validate checks what strict decoding cannot: required keys, uniqueness,
// references between sections, secrets, and the rules themselves. src is
// the file's text, to place errors inside multi-line queries.
func (c *Config) validate(errs, warn *problems, getenv func(string) string, src []byte) {
	if len(c.Feeds) == 0 {
		warn.add(Pos{1, 1}, "no feeds: herald has nothing to watch; add some under feeds:")
	}
	feeds := map[string]Pos{}
	for i := range c.Feeds {
		f := &c.Feeds[i]
		label := fmt.Sprintf("feeds[%d]", i)
		if f.Name != "" {
			label = fmt.Sprintf("feed %q", f.Name)
		}
		switch {
		case strings.TrimSpace(f.Name) == "":
			errs.add(f.at(""), "%s: name is missing; give every feed a short unique name", label)
		case strings.ContainsAny(f.Name, " \t\n\"'()"):
			errs.add(f.at("name"), "%s: a feed name is one word without spaces, quotes or parentheses (rules write feed:NAME); try %q", label, strings.Join(strings.Fields(f.Name), "-"))
		default:
			key := strings.ToLower(f.Name)
			if first, dup := feeds[key]; dup {
				errs.add(f.at("name"), "%s: the name is used by another feed at line %d; feed names must be unique", label, first.Line)
			} else {
				feeds[key] = f.at("name")
			}
		}
		c.checkFeedURL(f, label, errs, warn)
		if f.Origin != "" && f.Origin != OriginOPML && f.Origin != OriginChat {
			errs.add(f.at("origin"), "%s: origin %q is not known; it is %q for feeds `herald import` added, %q for feeds added in chat, or left out", label, f.Origin, OriginOPML, OriginChat)
		}
		// The floor protects publishers: a feed of this machine (a local
		// file, a test server on loopback) may be polled every second.
		floor := MinInterval
		if localFeed(f.URL) {
			floor = LocalMinInterval
		}
		if f.Interval != 0 && f.Interval < floor {
			if _, own := f.keys["interval"]; own {
				errs.add(f.at("interval"), "%s: interval %s is too short; poll no more often than every %s (every %s for a local file or a loopback address)", label, f.Interval, floor, LocalMinInterval)
			} else {
				errs.add(c.Watchers.at("interval"), "watchers.interval: %s is too short for %s at line %d, which is not local; give it an interval of its own of at least %s", f.Interval, label, f.at("").Line, floor)
			}
		}
	}
	if w := c.Watchers; w.Interval != 0 && w.Interval < LocalMinInterval {
		errs.add(w.at("interval"), "watchers.interval: %s is too short; poll no more often than every %s", w.Interval, LocalMinInterval)
	}
	c.validateWatchers(errs)
	if c.Watchers.Concurrency < 0 {
		errs.add(c.Watchers.at("concurrency"), "watchers.concurrency: must be at least 1")
	}

	c.validateRetention(errs)
	c.validateWatches(errs)

	entities := map[string]Pos{}
	for i, e := range c.Entities {
		label := fmt.Sprintf("entities[%d]", i)
		if e.ID != "" {
			label = fmt.Sprintf("entity %q", e.ID)
		}
		switch {
		case e.ID == "":
			errs.add(e.at(""), "%s: id is missing; rules refer to an entity as @id", label)
		case !entityID.MatchString(e.ID):
			errs.add(e.at("id"), "%s: an id is letters, digits, _ and - (rules write it as @%s)", label, e.ID)
		default:
			if first, dup := entities[strings.ToLower(e.ID)]; dup {
				errs.add(e.at("id"), "%s: the id is used by another entity at line %d; ids must be unique", label, first.Line)
			} else {
				entities[strings.ToLower(e.ID)] = e.at("id")
			}
		}
		if strings.TrimSpace(e.Name) == "" {
			errs.add(e.at(""), "%s: name is missing; it is what the entity is called in articles", label)
		}
		for j, a := range e.Aliases {
			if strings.TrimSpace(a) == "" {
				errs.add(e.at("aliases"), "%s: aliases[%d] is empty; remove it", label, j)
			}
		}
	}

	ruleNames := map[string]Pos{}
	for i := range c.Rules {
		r := &c.Rules[i]
		label := fmt.Sprintf("rules[%d]", i)
		if r.Name != "" {
			label = fmt.Sprintf("rule %q", r.Name)
		}
		switch {
		case strings.TrimSpace(r.Name) == "":
			errs.add(r.at(""), "%s: name is missing; the name is the topic users subscribe to", label)
		case strings.ContainsAny(r.Name, " \t\n"):
			errs.add(r.at("name"), "%s: a rule name is one word without spaces (users type /subscribe NAME); try %q", label, strings.Join(strings.Fields(r.Name), "-"))
		case strings.HasPrefix(strings.ToLower(r.Name), "watch:"):
			errs.add(r.at("name"), "%s: names starting with \"watch:\" are kept for the watches chats save with /watch; choose another name", label)
		default:
			if first, dup := ruleNames[strings.ToLower(r.Name)]; dup {
				errs.add(r.at("name"), "%s: the name is used by another rule at line %d; rule names must be unique", label, first.Line)
			} else {
				ruleNames[strings.ToLower(r.Name)] = r.at("name")
			}
		}
		if strings.TrimSpace(r.Query) == "" {
			errs.add(r.at("query"), "%s: query is empty; write the words to watch for, such as: query: '\"black sea\" grain'", label)
		}
		for j, name := range r.Feeds {
			if _, ok := feeds[strings.ToLower(name)]; !ok {
				at := r.at("feeds")
				if n := r.values["feeds"]; n != nil && n.Kind == yaml.SequenceNode && j < len(n.Content) {
					at = posOf(n.Content[j])
				}
				errs.add(at, "%s: feeds[%d] %q is not a feed defined under feeds:%s", label, j, name, c.SuggestFeed(name))
			}
		}
		for _, n := range r.Notify {
			d, err := news.ParseDestination(n)
			if err != nil {
				errs.add(r.at("notify"), "%s: %v", label, err)
				continue
			}
			r.Destinations = append(r.Destinations, d)
		}
	}

	c.compileRules(errs, src)
	c.checkFeedTerms(errs, src)
	c.expandSecrets(errs, warn, getenv)
	c.validateWeb(errs, getenv)
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		errs.add(c.Log.at("level"), "log.level: %q is not a level; use debug, info, warn or error", c.Log.Level)
	}
	if t := c.Digest.Threshold; t != nil && *t < 0 {
		errs.add(c.Digest.at("threshold"), "digest.threshold: %d is negative; use 0 to turn digests off", *t)
	}
	if tz := c.Alerts.Timezone; tz != "" {
		if _, err := time.LoadLocation(tz); err != nil {
			errs.add(c.Alerts.at("timezone"), "alerts.timezone: %q is not a time zone; use an IANA name such as Europe/Brussels", tz)
		}
	}
	if q := c.Alerts.Quotes; q != nil && (*q < 0 || *q > 10) {
		errs.add(c.Alerts.at("quotes"), "alerts.quotes: %d is out of range; use 0 (no quotes) to 10", *q)
	}
	if m := c.Alerts.QuoteMax; m != nil && (*m < 40 || *m > 3000) {
		errs.add(c.Alerts.at("quote_max"), "alerts.quote_max: %d characters is out of range; use 40 to 3000", *m)
	}
	loc := time.UTC
	if tz := c.Digest.Timezone; tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			errs.add(c.Digest.at("timezone"), "digest.timezone: %q is not a time zone; use an IANA name such as Europe/Brussels", tz)
		} else {
			loc = l
		}
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		if r.Digest == "" {
			continue
		}
		b, err := news.ParseBatch(r.Digest, loc)
		if err != nil {
			errs.add(r.at("digest"), "rule %q: %v", r.Name, err)
			continue
		}
		r.Batch = &b
	}
	if b := c.Telegram.Rate.Burst; b < 0 {
		errs.add(c.Telegram.Rate.at("burst"), "telegram.rate.burst: %d is negative; use 1 for no bursts", b)
	}
	if b := c.Slack.Rate.Burst; b < 0 {
		errs.add(c.Slack.Rate.at("burst"), "slack.rate.burst: %d is negative; use 1 for no bursts", b)
	}
	if b := c.Telegram.Rate.GroupBurst; b < 0 {
		errs.add(c.Telegram.Rate.at("group_burst"), "telegram.rate.group_burst: %d is negative; use 1 for no bursts", b)
	}
	if c.Slack.Rate.GroupBurst != 0 {
		errs.add(c.Slack.Rate.at("group_burst"), "slack.rate.group_burst: Slack has no group limit; use burst (per channel)")
	}
	if c.Slack.Rate.Group != nil {
		errs.add(c.Slack.Rate.at("group"), "slack.rate.group: Slack has no group limit; use chat (per channel) or global")
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		errs.add(c.Log.at("format"), "log.format: %q is not a format; use text or json", c.Log.Format)
	}
	for _, api := range []struct {
		key, val string
		at       Pos
	}{{"telegram.api_url", c.Telegram.APIURL, c.Telegram.at("api_url")}, {"slack.api_url", c.Slack.APIURL, c.Slack.at("api_url")}} {
		if u, err := url.Parse(api.val); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs.add(api.at, "%s: %q is not an http(s) URL", api.key, api.val)
		}
	}
	c.validateTelegram(errs, warn)
	c.validateSlack(errs, warn)
}

// validateWatchers checks the watchers: keys of the adaptive schedule, the
// per-host limit and the admin chat.
func (c *Config) validateWatchers(errs *problems) {
	w := &c.Watchers
	if w.MinInterval < MinInterval {
		errs.add(w.at("min_interval"), "watchers.min_interval: %s is too short; poll no more often than every %s", w.MinInterval, MinInterval)
	}
	if w.MaxInterval < w.MinInterval {
		errs.add(w.at("max_interval"), "watchers.max_interval: %s is shorter than watchers.min_interval (%s)", w.MaxInterval, w.MinInterval)
	}
	if w.PerHost < 0 {
		errs.add(w.at("per_host"), "watchers.per_host: must be at least 1")
	}
	if w.Admin != "" {
		d, err := news.ParseDestination(w.Admin)
		if err != nil {
			errs.add(w.at("admin"), "watchers.admin: %v", err)
		} else {
			w.AdminDest = &d
		}
	}
}

var webhookSecret = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// validateTelegram checks the telegram: keys beyond the token: admins and
// the webhook. It runs after secrets are expanded.
func (c *Config) validateTelegram(errs, warn *problems) {
	t := &c.Telegram
	for i, id := range t.Admins {
		if id < 0 { // 0 is what a value that failed to decode leaves, reported already
			errs.add(t.at("admins"), "telegram.admins[%d]: %d is not a Telegram user id; user ids are positive numbers (@userinfobot tells a user theirs)", i, id)
		}
	}
	w := &t.Webhook
	if w.URL == "" {
		if w.Listen != "" || w.SecretToken != "" {
			errs.add(w.at(""), "telegram.webhook: url is missing; give the public https URL Telegram should post updates to, or remove the webhook section to use long polling")
		}
		return
	}
	if u, err := url.Parse(w.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs.add(w.at("url"), "telegram.webhook.url: %q is not an https URL", w.URL)
	} else if u.Scheme == "http" {
		warn.add(w.at("url"), "telegram.webhook.url: Telegram posts updates only to https URLs; %q works only with a local Bot API server", w.URL)
	}
	if _, _, err := net.SplitHostPort(w.Listen); err != nil {
		errs.add(w.at("listen"), "telegram.webhook.listen: %q is not an address to listen on, such as :8443 or 127.0.0.1:8443", w.Listen)
	}
	switch {
	case w.SecretToken == "" && t.Token != "":
		errs.add(w.at("secret_token"), "telegram.webhook.secret_token: missing; set one (1-256 letters, digits, _ and -, e.g. ${TELEGRAM_WEBHOOK_SECRET}) so herald can tell Telegram's requests from anyone else's")
	case w.SecretToken != "" && !webhookSecret.MatchString(w.SecretToken):
		errs.add(w.at("secret_token"), "telegram.webhook.secret_token: use 1-256 letters, digits, _ and - only")
	}
}

var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// validateSlack checks the slack: keys beyond the bot token, and listen:.
// It runs after secrets are expanded; no message shows a secret.
func (c *Config) validateSlack(errs, warn *problems) {
	s := &c.Slack
	for i, id := range s.Admins {
		if !slackUserID.MatchString(id) {
			errs.add(s.at("admins"), "slack.admins[%d]: %q is not a Slack user id; ids look like U0123ABCD (a member's profile → ⋮ → Copy member ID)", i, id)
		}
	}
	if s.AppToken != "" && !strings.HasPrefix(s.AppToken, "xapp-") {
		errs.add(s.at("app_token"), "slack.app_token: not an app-level token, which starts with xapp-; generate one under Basic Information → App-Level Tokens with the connections:write scope")
	}
	if s.BotToken != "" && !strings.HasPrefix(s.BotToken, "xoxb-") {
		warn.add(s.at("bot_token"), "slack.bot_token: a bot token starts with xoxb- (OAuth & Permissions → Bot User OAuth Token)")
	}
	if s.BotToken == "" && (s.AppToken != "" || s.SigningSecret != "") {
		warn.add(s.at("bot_token"), "slack.bot_token: not set, so Slack stays off; commands need it to answer")
	}
	if c.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Listen); err != nil {
			errs.add(c.at("listen"), "listen: %q is not an address to listen on, such as :8080 or 127.0.0.1:8080", c.Listen)
		}
	}
	switch {
	case s.BotToken == "":
	case s.SigningSecret != "" && c.Listen == "" && s.AppToken == "":
		warn.add(s.at("signing_secret"), "slack.signing_secret: set listen: (such as :8080) to receive slash commands at /slack/commands, or slack.app_token for Socket Mode; Slack commands stay off")
	}
}

// localFeed reports whether a feed's url is a local file or an http(s) URL
// of a loopback address (localhost, 127.0.0.0/8, ::1).
func localFeed(raw string) bool {
	raw = strings.TrimSpace(raw)
	if !isWebScheme(raw) {
		return true
	}
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// checkFeedURL checks a feed's url. A file that is missing or unreadable
// is a warning: the feed fails at each poll, reported by status and feeds,
// while the other feeds go on (the file may appear later).
func (c *Config) checkFeedURL(f *Feed, label string, errs, warn *problems) {
	raw := strings.TrimSpace(f.URL)
	if raw == "" {
		errs.add(f.at(""), "%s: url is missing; give an http(s) URL or a file path relative to this config", label)
		return
	}
	if isWebScheme(raw) {
		u, err := WebURL(raw)
		if err != nil {
			errs.add(f.at("url"), "%s: %q: %v", label, raw, err)
			return
		}
		f.URL = u
		return
	}
	if i := strings.Index(raw, "://"); i > 0 && !strings.EqualFold(raw[:i], "file") {
		errs.add(f.at("url"), "%s: %q: only http, https and local files are supported", label, raw)
		return
	}
	p := raw
	if len(p) >= 7 && strings.EqualFold(p[:7], "file://") {
		p = p[7:]
		raw = "file://" + p
	}
	f.URL = raw
	if !filepath.IsAbs(p) {
		p = filepath.Join(c.Dir, p)
	}
	if _, err := os.Stat(p); err != nil {
		warn.add(f.at("url"), "%s: feed file %s: %v; the feed fails until it can be read: fix the path (relative paths start at the config's folder)", label, p, unwrapPathError(err))
	}
}

// isWebScheme reports whether raw starts with http:// or https://, in any case.
func isWebScheme(raw string) bool {
	l := strings.ToLower(raw[:min(len(raw), 8)])
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// WebURL is the one rule for a feed's web address, applied alike by the
// config loader, `herald feeds add` and `herald import` (with or without
// -dry-run): spaces around it are dropped, its scheme must be http or https
// and it must name a host; scheme and host are compared without regard to
// case and come back in lower case. The error says what is wrong.
func WebURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", errors.New("the URL is empty")
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return "", errors.New("the URL has a space or control character inside; write a space as %20")
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("not a valid URL (%v)", unwrapURLError(err))
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", errors.New("not an http(s) URL")
	}
	if u.Host == "" {
		return "", errors.New("the URL names no host")
	}
	u.Host = strings.ToLower(u.Host)
	return u.String(), nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// compileRules compiles every rule with the entities and turns each query
// error into a problem at its place inside the query text.
func (c *Config) compileRules(errs *problems, src []byte) {
	set, err := rules.Compile(c.RuleSpecs(), c.RuleEntities())
	if err == nil {
		c.Set = set
		return
	}
	var list rules.Errors
	if !errors.As(err, &list) {
		errs.add(Pos{1, 1}, "rules: %v", err)
		return
	}
	for _, e := range list {
		var r *Rule
		for i := range c.Rules {
			if c.Rules[i].Name == e.Rule {
				r = &c.Rules[i]
				break
			}
		}
		if r == nil {
			errs.add(Pos{1, 1}, "%v", e)
			continue
		}
		if e.Field == rules.RuleExclude {
			errs.add(queryPos(src, r.values["exclude"], r.at(""), e.Offset), "rule %q: exclude: %s", r.Name, e.Msg)
			continue
		}
		errs.add(queryPos(src, r.values["query"], r.at(""), e.Offset), "rule %q: %s", r.Name, e.Msg)
	}
}

// checkFeedTerms reports feed: terms in queries that name no configured
// feed: such a rule would silently never fire (or, under NOT, always).
func (c *Config) checkFeedTerms(errs *problems, src []byte) {
	if c.Set == nil {
		return // the rules did not compile; those errors come first
	}
	known := map[string]bool{}
	for _, f := range c.Feeds {
		known[rules.FeedWords(f.Name)] = true
	}
	queries := make([]string, 0, 2*len(c.Rules))
	for _, r := range c.Rules {
		queries = append(queries, r.Query, r.Exclude)
	}
	terms := rules.FeedTerms(queries, c.RuleEntities())
	for i := range c.Rules {
		r := &c.Rules[i]
		for k, field := range []struct{ key, label string }{{"query", ""}, {"exclude", "exclude: "}} {
			for _, t := range terms[2*i+k] {
				if known[t.Name] {
					continue
				}
				name := strings.Trim(strings.TrimPrefix(t.Raw, "feed:"), `"`)
				errs.add(queryPos(src, r.values[field.key], r.at(""), t.Pos), "rule %q: %s%s names no feed defined under feeds:, so it never matches an item%s", r.Name, field.label, t.Raw, c.SuggestFeed(name))
			}
		}
	}
}

// SuggestFeed is the "did you mean" of an unknown feed name, to append to
// an error: the closest configured name, or the list of them.
func (c *Config) SuggestFeed(name string) string {
	if len(c.Feeds) == 0 {
		return "; there are no feeds yet"
	}
	best, bestD := "", max(3, len([]rune(name))/3+1)
	names := make([]string, 0, len(c.Feeds))
	for _, f := range c.Feeds {
		names = append(names, f.Name)
		if d := fuzzy.Distance(strings.ToLower(name), strings.ToLower(f.Name)); d < bestD {
			best, bestD = f.Name, d
		}
	}
	if best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	if len(names) > 12 {
		names = append(names[:12], "…")
	}
	return "; the feeds are: " + strings.Join(names, ", ")
}

// queryPos maps a byte offset inside a query to the file position of that
// character, whatever the scalar's style: plain or quoted on one line or
// broken over several, block literal (|) or folded (>).
//
// The value a YAML parser returns differs from the text in the file by
// whitespace only (indentation, line folding, chomping) and, in quoted
// scalars, by escapes and doubled quotes. So the character at offset is
// found as the value's k-th non-space character, and the file is scanned
// from the scalar's start for its k-th non-space character, reading escapes
// and doubled quotes as the one character they stand for. An offset at the
// end of the value points just past its last character.
func queryPos(src []byte, n *yaml.Node, fallback Pos, offset int) Pos {
	if n == nil {
		return fallback
	}
	offset = min(max(offset, 0), len(n.Value))
	k := 0
	for _, r := range n.Value[:offset] {
		if !unicode.IsSpace(r) {
			k++
		}
	}
	sc := scalarScanner{src: src, line: n.Line, col: n.Column}
	if !sc.seek() {
		return posOf(n)
	}
	switch n.Style {
	case yaml.LiteralStyle, yaml.FoldedStyle:
		sc.skipLine() // the header: | or >, indicators, a comment
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		sc.next() // the opening quote
	}
	last := Pos{n.Line, n.Column}
	for seen := 0; ; seen++ {
		at, ok := sc.content(n.Style)
		if !ok {
			return Pos{last.Line, last.Col + 1}
		}
		if seen == k {
			return at
		}
		last = at
	}
}

// scalarScanner reads the text of a scalar in the config file, rune by
// rune, knowing the line and column (in runes, 1-based) of each.
type scalarScanner struct {
	src       []byte
	i         int
	line, col int
}

// seek moves to line:col, the scalar's start.
func (s *scalarScanner) seek() bool {
	line := 1
	for s.i < len(s.src) && line < s.line {
		if s.src[s.i] == '\n' {
			line++
		}
		s.i++
	}
	for c := 1; c < s.col; c++ {
		if s.i >= len(s.src) || s.src[s.i] == '\n' {
			return false
		}
		_, size := utf8.DecodeRune(s.src[s.i:])
		s.i += size
	}
	return line == s.line
}

// next consumes one rune and returns it with its position.
func (s *scalarScanner) next() (rune, Pos, bool) {
	if s.i >= len(s.src) {
		return 0, Pos{}, false
	}
	r, size := utf8.DecodeRune(s.src[s.i:])
	at := Pos{s.line, s.col}
	s.i += size
	if r == '\n' {
		s.line, s.col = s.line+1, 1
	} else {
		s.col++
	}
	return r, at, true
}

func (s *scalarScanner) peek() rune {
	if s.i >= len(s.src) {
		return 0
	}
	r, _ := utf8.DecodeRune(s.src[s.i:])
	return r
}

func (s *scalarScanner) skipLine() {
	for {
		r, _, ok := s.next()
		if !ok || r == '\n' {
			return
		}
	}
}

// content returns the position of the next character of the scalar's
// value that is not white space, or false at the scalar's end.
func (s *scalarScanner) content(style yaml.Style) (Pos, bool) {
	for {
		r, at, ok := s.next()
		if !ok {
			return Pos{}, false
		}
		switch style {
		case yaml.DoubleQuotedStyle:
			switch r {
			case '"':
				return Pos{}, false
			case '\\':
				if v, ok := s.escape(); ok && !unicode.IsSpace(v) {
					return at, true
				}
				continue
			}
		case yaml.SingleQuotedStyle:
			if r == '\'' {
				if s.peek() != '\'' {
					return Pos{}, false
				}
				s.next() // '' is one quote
				return at, true
			}
		}
		if !unicode.IsSpace(r) {
			return at, true
		}
	}
}

// escape reads the rest of a double-quoted escape after its backslash and
// returns the character it stands for; false for an escaped line break,
// which stands for nothing.
func (s *scalarScanner) escape() (rune, bool) {
	r, _, ok := s.next()
	if !ok || r == '\n' || r == '\r' {
		return 0, false
	}
	hex := map[rune]int{'x': 2, 'u': 4, 'U': 8}[r]
	if hex == 0 {
		switch r {
		case 't', 'n', 'r', ' ', 'v', 'f', 'N', '_', 'L', 'P', '\t':
			return ' ', true // white space, in the value too
		}
		return r, true
	}
	var v rune
	for range hex {
		d, _, ok := s.next()
		if !ok {
			break
		}
		n, err := strconv.ParseUint(string(d), 16, 8)
		if err != nil {
			break
		}
		v = v<<4 | rune(n)
	}
	return v, true
}

// expandSecrets replaces ${VAR} in the platform sections. A variable that is
// not set is an error only when the platform is used by some rule; otherwise
// the platform is simply off.
func (c *Config) expandSecrets(errs, warn *problems, getenv func(string) string) {
	used := map[news.Platform]bool{}
	for _, r := range c.Rules {
		for _, d := range r.Destinations {
			used[d.Platform] = true
		}
	}
	expand := func(platform news.Platform, key string, val *string, at Pos) {
		var missing []string
		*val = envRef.ReplaceAllStringFunc(*val, func(m string) string {
			name := envRef.FindStringSubmatch(m)[1]
			v := getenv(name)
			if v == "" {
				missing = append(missing, name)
			}
			return v
		})
		for _, name := range missing {
			if used[platform] {
				errs.add(at, "%s: environment variable %s is not set; export it, or remove the %s destinations from the rules", key, name, platform)
			} else {
				warn.add(at, "%s: environment variable %s is not set; %s stays off", key, name, platform)
			}
		}
	}
	t, s := &c.Telegram, &c.Slack
	expand(news.Telegram, "telegram.token", &t.Token, t.at("token"))
	expand(news.Telegram, "telegram.api_url", &t.APIURL, t.at("api_url"))
	expand(news.Slack, "slack.bot_token", &s.BotToken, s.at("bot_token"))
	expand(news.Slack, "slack.app_token", &s.AppToken, s.at("app_token"))
	expand(news.Slack, "slack.signing_secret", &s.SigningSecret, s.at("signing_secret"))
	expand(news.Slack, "slack.api_url", &s.APIURL, s.at("api_url"))
	expand(news.Telegram, "telegram.webhook.secret_token", &t.Webhook.SecretToken, t.Webhook.at("secret_token"))
	if a := c.Watchers.AdminDest; a != nil && (a.Platform == news.Telegram && t.Token == "" || a.Platform == news.Slack && s.BotToken == "") {
		errs.add(c.Watchers.at("admin"), "watchers.admin: %s needs the %s token set, or feed notices wait undelivered", a, a.Platform)
	}
	if used[news.Telegram] && t.Token == "" {
		errs.add(t.at("token"), "telegram.token: rules notify Telegram chats but no bot token is set; add telegram: {token: ${TELEGRAM_TOKEN}} and export the token from @BotFather")
	}
	if used[news.Slack] && s.BotToken == "" {
		errs.add(s.at("bot_token"), "slack.bot_token: rules notify Slack channels but no bot token is set; add slack: {bot_token: ${SLACK_BOT_TOKEN}} and export the xoxb- token")
	}
	for _, r := range c.Rules {
		if len(r.Notify) == 0 {
			warn.add(r.at(""), "rule %q: no notify: list; its alerts reach only chats that /subscribe to it", r.Name)
		}
	}
}
