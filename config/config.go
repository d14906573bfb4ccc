// Package config loads herald's config.yaml: strict YAML (unknown keys are
// errors), ${ENV} secrets, defaults, and validation that reports every problem
// as FILE:LINE:COL. Rules are compiled here, so a config that loads is a
// config that runs.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"herald/news"
	"herald/rules"
)

// Defaults for keys the config leaves out.
const (
	DefaultDatabase = "herald.db"
	// DefaultMinInterval and DefaultMaxInterval bound the adaptive interval
	// of feeds that set none.
	DefaultMinInterval = Duration(2 * time.Minute)
	DefaultMaxInterval = Duration(6 * time.Hour)
	DefaultPerHost     = 2
	DefaultBackfill    = Duration(24 * time.Hour)
	DefaultTimeout     = Duration(30 * time.Second)
	DefaultMaxBody     = Size(10 << 20)
	DefaultConcurrency = 8
	DefaultTelegramAPI = "https://api.telegram.org"
	DefaultSlackAPI    = "https://slack.com/api/"
	// MinInterval keeps a typo ("5s") from hammering a publisher.
	MinInterval = Duration(30 * time.Second)
	// LocalMinInterval is the floor for a local file or a loopback
	// address, which no publisher is behind.
	LocalMinInterval = Duration(time.Second)
)

// Config is a loaded, validated configuration. It is immutable once Load
// returns: a reload builds a new one.
type Config struct {
	// Path is the file it was read from, as given; Dir is that file's directory,
	// against which relative paths are resolved.
	Path string `yaml:"-"`
	Dir  string `yaml:"-"`

	// Database is the SQLite file, relative to the config file.
	Database string `yaml:"database"`
	// Feeds are the sources to poll.
	Feeds []Feed `yaml:"feeds"`
	// Entities are named things with aliases that rules refer to as @id.
	Entities []Entity `yaml:"entities"`
	// Rules are the topics: a query and where to post its alerts.
	Rules []Rule `yaml:"rules"`
	// Watchers tunes polling.
	Watchers Watchers `yaml:"watchers"`
	// Telegram configures the Telegram bot.
	Telegram Telegram `yaml:"telegram"`
	// Slack configures the Slack app.
	Slack Slack `yaml:"slack"`
	// Log configures logging.
	Log Log `yaml:"log"`
	// Digest configures when waiting alerts are sent as digests.
	Digest Digest `yaml:"digest"`
	// Alerts configures what an alert shows.
	Alerts Alerts `yaml:"alerts"`
	// Listen is the address herald's HTTP server listens on, such as :8080:
	// it receives Slack slash commands at /slack/commands. Empty: no server.
	Listen string `yaml:"listen"`
	// Retention, when set, is how long herald keeps what it stored: `herald
	// run` prunes older items, their search index rows and delivered alerts
	// daily. Zero keeps everything.
	Retention Duration `yaml:"retention"`
	// Watches limits the queries chats save for themselves with /watch.
	Watches Watches `yaml:"watches"`
	// Web configures the status pages served on listen: (see docs/web.md).
	Web Web `yaml:"web"`

	// Rules compiled; set by Load.
	Set *rules.Set `yaml:"-"`
	// Warnings are problems that do not stop herald, with their positions.
	Warnings []Problem `yaml:"-"`
	place
}

// Feed is one entry of feeds:.
type Feed struct {
	Name     string   `yaml:"name"`
	URL      string   `yaml:"url"`
	Interval Duration `yaml:"interval"`
	Tags     []string `yaml:"tags"`
	Backfill Duration `yaml:"backfill"`
	// FullText fetches each new item's article page and extracts the article
	// from it, for feeds that carry only a teaser; the feed's text is the
	// fallback on any failure.
	FullText bool `yaml:"full_text"`
	// Origin says where the feed came from: empty for the operator's own,
	// "opml" for one `herald import` added, "chat" for one added with
	// /feeds add. Such feeds are not trusted to reach private addresses
	// (see watchers.allow_private).
	Origin string `yaml:"origin"`
	place
}

// The origins of feeds herald added to the config itself.
const (
	// OriginOPML is the origin of feeds added by `herald import`.
	OriginOPML = "opml"
	// OriginChat is the origin of feeds added with /feeds add in chat.
	OriginChat = "chat"
)

// Entity is one entry of entities:.
type Entity struct {
	ID      string   `yaml:"id"`
	Name    string   `yaml:"name"`
	Aliases []string `yaml:"aliases"`
	place
}

// Rule is one entry of rules:, a topic users can subscribe to.
type Rule struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Query       string `yaml:"query"`
	// Exclude is a second query: the rule does not fire on an item it matches.
	Exclude string   `yaml:"exclude"`
	Feeds   []string `yaml:"feeds"`
	Notify  []string `yaml:"notify"`
	// Digest batches the rule's alerts on purpose: "10m" (every ten minutes
	// on the clock) or "daily 08:00" (in digest.timezone).
	Digest string `yaml:"digest"`
	// Batch is Digest, parsed; set by Load.
	Batch *news.Batch `yaml:"-"`
	// Destinations are Notify, parsed; set by Load.
	Destinations []news.Destination `yaml:"-"`
	place
}

// Watchers is the watchers: section.
type Watchers struct {
	// Interval, when set, is the fixed poll interval of feeds that do not
	// set their own; when not, their interval adapts to how often they
	// publish, between MinInterval and MaxInterval.
	Interval Duration `yaml:"interval"`
	// MinInterval and MaxInterval bound the adaptive interval.
	MinInterval Duration `yaml:"min_interval"`
	MaxInterval Duration `yaml:"max_interval"`
	// PerHost is how many feeds of one host are fetched at once.
	PerHost int `yaml:"per_host"`
	// AllowPrivate lets feeds imported from OPML reach loopback and private
	// addresses; the operator's own feeds always may.
	AllowPrivate bool `yaml:"allow_private"`
	// Admin is the chat told when a feed has failed for a day, is gone
	// (410), or recovers; without it herald only logs that.
	Admin string `yaml:"admin"`
	// AdminDest is Admin, parsed; set by Load.
	AdminDest *news.Destination `yaml:"-"`
	// Backfill is the first-poll window of feeds that do not set their own.
	Backfill Duration `yaml:"backfill"`
	// Timeout bounds one whole fetch.
	Timeout Duration `yaml:"timeout"`
	// MaxBody caps a feed's size, after decompression.
	MaxBody Size `yaml:"max_body"`
	// Concurrency is how many feeds are fetched at once.
	Concurrency int `yaml:"concurrency"`
	// UserAgent replaces herald's default User-Agent header.
	UserAgent string `yaml:"user_agent"`
	place
}

// Telegram is the telegram: section.
type Telegram struct {
	Token  string `yaml:"token"`
	APIURL string `yaml:"api_url"`
	// LinkPreview lets Telegram show a preview of the article under each
	// alert; off by default, since the alert has the summary already.
	LinkPreview bool `yaml:"link_preview"`
	// Admins are Telegram user ids that may change any group's
	// subscriptions, besides the group's own administrators.
	Admins []int64 `yaml:"admins"`
	// Webhook, when its url is set, receives updates instead of long polling.
	Webhook TelegramWebhook `yaml:"webhook"`
	// Rate overrides the sending limits (defaults: chat 1/s with burst 3,
	// group 20/min, global 30/s).
	Rate Rates `yaml:"rate"`
	place
}

// TelegramWebhook is the telegram.webhook: section.
type TelegramWebhook struct {
	// URL is the public https URL Telegram posts updates to.
	URL string `yaml:"url"`
	// Listen is the address herald serves the webhook on, such as :8443.
	Listen string `yaml:"listen"`
	// SecretToken is the X-Telegram-Bot-Api-Secret-Token every update must carry.
	SecretToken string `yaml:"secret_token"`
	place
}

// Slack is the slack: section.
type Slack struct {
	// BotToken is the xoxb- token that posts alerts and replies.
	BotToken string `yaml:"bot_token"`
	// AppToken is an xapp- token: with it, commands arrive over Socket Mode.
	AppToken string `yaml:"app_token"`
	// SigningSecret verifies slash commands that arrive over HTTP (listen:).
	SigningSecret string `yaml:"signing_secret"`
	APIURL        string `yaml:"api_url"`
	// LinkUnfurl lets Slack unfurl the article's link under each alert; off
	// by default, since the alert has the summary already.
	LinkUnfurl bool `yaml:"link_unfurl"`
	// Admins, when set, are the only Slack user ids that may change a
	// channel's subscriptions; otherwise anyone in the channel may.
	Admins []string `yaml:"admins"`
	// Rate overrides the sending limits (default: chat 1/s per channel with
	// burst 3; no global limit). group does not apply to Slack.
	Rate Rates `yaml:"rate"`
	place
}

// Log is the log: section.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `yaml:"level"`
	// Format is text or json.
	Format string `yaml:"format"`
	place
}

// place remembers where a mapping and its keys stand in the file.
type place struct {
	pos    Pos
	keys   map[string]Pos
	values map[string]*yaml.Node
}

func (p *place) setPos(self Pos, keys map[string]Pos, values map[string]*yaml.Node) {
	p.pos, p.keys, p.values = self, keys, values
}

// at is the position of key's value, else of the mapping itself.
func (p place) at(key string) Pos {
	if n, ok := p.values[key]; ok {
		return posOf(n)
	}
	if p.pos.Line == 0 {
		return Pos{1, 1} // the section is absent: point at the top of the file
	}
	return p.pos
}

// Problem is one error or warning in a config file.
type Problem struct {
	File string
	Pos
	Msg string
}

// String formats the problem as editors and CI annotators expect: FILE:LINE:COL: message.
func (p Problem) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg)
}

// Error is every problem that stops a config from loading.
type Error struct {
	Problems []Problem
}

// Error prints one problem per line.
func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

type problems struct {
	file string
	list []Problem
}

func (ps *problems) add(at Pos, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: ps.file, Pos: at, Msg: fmt.Sprintf(format, args...)})
}

// Load reads, checks and compiles a config file. getenv looks up ${VAR}
// secrets (os.Getenv in production; tests pass their own). On failure the
// error is an *Error listing every problem found.
func Load(path string, getenv func(string) string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Problems: []Problem{{File: path, Pos: Pos{1, 1}, Msg: fmt.Sprintf("cannot read the config: %v; pass another file with -config", unwrapPathError(err))}}}
	}
	return Parse(path, data, getenv)
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse is Load for config text already read; path names it in messages and
// anchors relative paths.
func Parse(path string, data []byte, getenv func(string) string) (*Config, error) {
	ps := &problems{file: path}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if err.Error() == "EOF" {
			ps.add(Pos{1, 1}, "the config is empty; start from the config.yaml in herald's repository")
			return nil, &Error{Problems: ps.list}
		}
		at, msg := Pos{1, 1}, strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			at, msg = Pos{line, 1}, m[2]
		}
		ps.add(at, "not valid YAML: %s", msg)
		return nil, &Error{Problems: ps.list}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		ps.add(posOf(&extra), "a second YAML document (after ---) is not supported; keep one document")
	}
	cfg := &Config{Path: path, Dir: filepath.Dir(path)}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	d := decoder{errs: ps}
	d.decode(root, reflectValue(cfg), "")
	// Go on after decoding problems: a value that failed to decode is left
	// empty, and checking the rest reports every problem in one run.
	cfg.applyDefaults()
	warn := &problems{file: path}
	cfg.validate(ps, warn, getenv, data)
	cfg.Warnings = warn.list
	if len(ps.list) > 0 {
		sort.SliceStable(ps.list, func(i, j int) bool {
			a, b := ps.list[i], ps.list[j]
			return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
		})
		return nil, &Error{Problems: ps.list}
	}
	return cfg, nil
}

func (c *Config) applyDefaults() {
	if c.Database == "" {
		c.Database = DefaultDatabase
	}
	w := &c.Watchers
	if w.MinInterval == 0 {
		w.MinInterval = DefaultMinInterval
	}
	if w.MaxInterval == 0 {
		w.MaxInterval = DefaultMaxInterval
	}
	if w.PerHost == 0 {
		w.PerHost = DefaultPerHost
	}
	if _, set := w.keys["backfill"]; !set {
		w.Backfill = DefaultBackfill
	}
	if w.Timeout == 0 {
		w.Timeout = DefaultTimeout
	}
	if w.MaxBody == 0 {
		w.MaxBody = DefaultMaxBody
	}
	if w.Concurrency == 0 {
		w.Concurrency = DefaultConcurrency
	}
	for i := range c.Feeds {
		f := &c.Feeds[i]
		if f.Interval == 0 {
			f.Interval = w.Interval // zero, adaptive, unless watchers.interval is set
		}
		if _, set := f.keys["backfill"]; !set {
			f.Backfill = w.Backfill
		}
	}
	if c.Telegram.APIURL == "" {
		c.Telegram.APIURL = DefaultTelegramAPI
	}
	if c.Slack.APIURL == "" {
		c.Slack.APIURL = DefaultSlackAPI
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "text"
	}
}

// DatabasePath is the database file, resolved against the config's directory.
func (c *Config) DatabasePath() string {
	if filepath.IsAbs(c.Database) {
		return c.Database
	}
	return filepath.Join(c.Dir, c.Database)
}

// NewsFeeds returns the feeds as the watchers take them, with file paths
// resolved against the config's directory.
func (c *Config) NewsFeeds() []news.Feed {
	out := make([]news.Feed, len(c.Feeds))
	for i, f := range c.Feeds {
		u := f.URL
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			u = strings.TrimPrefix(u, "file://")
			if !filepath.IsAbs(u) {
				if abs, err := filepath.Abs(filepath.Join(c.Dir, u)); err == nil {
					u = abs
				}
			}
		}
		out[i] = news.Feed{
			Name:      f.Name,
			URL:       u,
			Interval:  time.Duration(f.Interval),
			Tags:      f.Tags,
			Backfill:  time.Duration(f.Backfill),
			FullText:  f.FullText,
			Untrusted: f.Origin == OriginOPML || f.Origin == OriginChat,
		}
	}
	return out
}

// Feed returns the configured feed with this name (case-insensitive).
func (c *Config) Feed(name string) (Feed, bool) {
	for _, f := range c.Feeds {
		if strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return Feed{}, false
}

// RuleSpecs returns the rules as the rules engine compiles them.
func (c *Config) RuleSpecs() []rules.Rule {
	out := make([]rules.Rule, len(c.Rules))
	for i, r := range c.Rules {
		out[i] = rules.Rule{Name: r.Name, Query: r.Query, Exclude: r.Exclude, Feeds: r.Feeds}
	}
	return out
}

// RuleEntities returns the entities as the rules engine takes them.
func (c *Config) RuleEntities() []rules.Entity {
	out := make([]rules.Entity, len(c.Entities))
	for i, e := range c.Entities {
		out[i] = rules.Entity{ID: e.ID, Name: e.Name, Aliases: e.Aliases}
	}
	return out
}
