package slack

import (
	"context"
	"errors"
	"herald/internal/testkit"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"herald/alerts/alertstest"
	"herald/bot"
	"herald/bot/slack/slacktest"
	"herald/news"
	"herald/store"
)

// The secrets of these tests; no log line or error may hold them.
const (
	botToken      = "xoxb-1111-2222-SECRETbotTOKEN"
	appToken      = "xapp-1-A0FAKE-3333-SECRETappTOKEN"
	signingSecret = "8f742231b10e8888abcd99SECRETsign"
)

// Channels of the tests.
const (
	newsChannel = "C0NEWS"
	deskChannel = "C0DESK"
	dmChannel   = "D0ANN"
)

// syncBuffer is a log buffer safe for concurrent writers.
type syncBuffer = testkit.SyncBuffer

// sleeper records the waits it is asked for and returns at once.
type sleeper = testkit.Sleeper

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a fake Slack, a store and a client wired together.
type env struct {
	t      *testing.T
	fake   *slacktest.Server
	db     *store.DB
	client *Client
	logs   *syncBuffer
	sleep  *sleeper
	clock  *clock
	errs   []error
}

func newEnv(t *testing.T, opts ...func(*Options)) *env {
	t.Helper()
	e := &env{
		t:     t,
		fake:  slacktest.New(t, slacktest.Options{BotToken: botToken, AppToken: appToken, SigningSecret: signingSecret}),
		logs:  &syncBuffer{},
		sleep: &sleeper{},
		clock: &clock{t: time.Now().Truncate(time.Second)},
	}
	e.fake.AddChannel(slacktest.Channel{ID: newsChannel, Name: "news"})
	e.fake.AddChannel(slacktest.Channel{ID: deskChannel, Name: "Desk"})
	e.fake.AddChannel(slacktest.Channel{ID: dmChannel})
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.db = db
	o := Options{
		BotToken: botToken, AppToken: appToken, SigningSecret: signingSecret,
		APIURL: e.fake.APIURL, Store: db,
		Log:   slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Sleep: e.sleep.Sleep, Now: e.clock.Now, RequestTimeout: 10 * time.Second,
		// The fake sends no pings unless told to: keep the connection.
		PingInterval: time.Hour,
	}
	for _, f := range opts {
		f(&o)
	}
	e.client, err = New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.checkNoSecrets)
	return e
}

// keep records an error for the secrets check at the end of the test.
func (e *env) keep(err error) error {
	if err != nil {
		e.errs = append(e.errs, err)
	}
	return err
}

// checkNoSecrets asserts that no log line and no returned error holds a
// token or the signing secret, that the signing secret never went over the
// wire, and that the tokens went only where the protocol puts them: the
// bot token in the form body or Authorization header of Web API calls, the
// app token in the Authorization header of apps.connections.open.
func (e *env) checkNoSecrets() {
	t := e.t
	secrets := map[string]string{"bot token": botToken, "app token": appToken, "signing secret": signingSecret}
	for _, line := range strings.Split(e.logs.String(), "\n") {
		for what, s := range secrets {
			if strings.Contains(line, s) {
				t.Errorf("a log line holds the %s: %s", what, line)
			}
		}
	}
	for _, err := range e.errs {
		for what, s := range secrets {
			if strings.Contains(err.Error(), s) {
				t.Errorf("an error holds the %s: %v", what, err)
			}
		}
	}
	for _, r := range e.fake.Requests() {
		all := r.Body + " " + r.Params.Encode()
		for k, v := range r.Header {
			if k != "Authorization" {
				all += " " + strings.Join(v, " ")
			}
		}
		if strings.Contains(all, signingSecret) {
			t.Errorf("%s carried the signing secret", r.Method)
		}
		switch r.Method {
		case "apps.connections.open":
			if strings.Contains(r.Body, appToken) || strings.Contains(all, botToken) {
				t.Errorf("apps.connections.open carried a token outside its Authorization header")
			}
		case "response_url":
			if strings.Contains(all, botToken) || strings.Contains(all, appToken) || r.Header.Get("Authorization") != "" {
				t.Errorf("a response_url post carried a token")
			}
		default:
			if strings.Contains(all, appToken) || strings.Contains(r.Header.Get("Authorization"), appToken) {
				t.Errorf("%s carried the app token", r.Method)
			}
		}
	}
}

// run starts Run with r and returns a stop function that waits for it to
// return, and with it for every command being handled.
func (e *env) run(r Router) (stop func()) {
	ctx, cancel := context.WithCancel(e.t.Context())
	done := make(chan error, 1)
	go func() { done <- e.client.Run(ctx, r) }()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					e.t.Errorf("Run returned %v, want nil after cancellation", e.keep(err))
				}
			case <-time.After(15 * time.Second):
				e.t.Fatal("Run did not return after its context was cancelled")
			}
		})
	}
}

// listen gives the client a loopback listener for HTTP mode and returns
// the URL of its command endpoint.
func (e *env) listen() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	e.client.listener = ln
	return "http://" + ln.Addr().String() + CommandPath
}

func dest(s string) news.Destination {
	d, err := news.ParseDestination("slack:" + s)
	if err != nil {
		panic(err)
	}
	return d
}

// sampleAlert is the adapters' shared sample alert, its link with a query
// string whose '&' Slack's escaping must keep.
func sampleAlert(d news.Destination) news.Alert {
	a := alertstest.Sample(d)
	a.Link += "?a=1&b=2"
	return a
}

func isPermanent(err error) bool { return errors.Is(err, bot.ErrPermanent) }

func subscribe(t *testing.T, e *env, d news.Destination, rules ...string) {
	t.Helper()
	testkit.Subscribe(t, e.db, d, rules...)
}

// subs returns d's subscriptions, rule → paused.
func subs(t *testing.T, e *env, d news.Destination) map[string]bool {
	t.Helper()
	return testkit.Subscriptions(t, e.db, d)
}

// inert fails the test when a message makes any mention or broadcast,
// holds unescaped text, or links anywhere but to links.
func inert(t *testing.T, r slacktest.Rendering, links ...string) {
	t.Helper()
	if len(r.Mentions) > 0 || len(r.Broadcasts) > 0 {
		t.Errorf("the message mentions %v and broadcasts %v", r.Mentions, r.Broadcasts)
	}
	if len(r.Problems) > 0 {
		t.Errorf("unescaped text: %v", r.Problems)
	}
	for _, l := range r.Links {
		ok := false
		for _, want := range links {
			ok = ok || l.URL == want
		}
		if !ok {
			t.Errorf("the message links to %q (%q); want only %v", l.URL, l.Label, links)
		}
	}
}
