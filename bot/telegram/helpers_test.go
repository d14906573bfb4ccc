package telegram

import (
	"context"
	"errors"
	"herald/internal/testkit"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"herald/alerts/alertstest"
	"herald/bot"
	"herald/bot/telegram/telegramtest"
	"herald/news"
	"herald/store"
)

// testNow is the adapter's clock in these tests: the day after the sample
// alert was published, so alerts say "yesterday 16:40 UTC".
var testNow = time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC)

// testToken is the bot token of these tests; no log line or error may hold it.
const testToken = "7777777:SECRET-token_abc"

// syncBuffer is a log buffer safe for concurrent writers.
type syncBuffer = testkit.SyncBuffer

// sleeper records the waits it is asked for and returns at once.
type sleeper = testkit.Sleeper

// env is a fake Bot API, a store and a client wired together.
type env struct {
	t      *testing.T
	fake   *telegramtest.Server
	db     *store.DB
	client *Client
	logs   *syncBuffer
	sleep  *sleeper
	errs   []error
}

func newEnv(t *testing.T, opts ...func(*Options)) *env {
	t.Helper()
	e := &env{t: t, fake: telegramtest.New(t, testToken), logs: &syncBuffer{}, sleep: &sleeper{}}
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.db = db
	o := Options{
		Token: testToken, APIURL: e.fake.URL, Store: db,
		Log:   slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Sleep: e.sleep.Sleep, PollTimeout: 5 * time.Second, RequestTimeout: 10 * time.Second,
		Now: func() time.Time { return testNow },
	}
	for _, f := range opts {
		f(&o)
	}
	e.client, err = New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.checkNoToken)
	return e
}

// keep records an error for the token check at the end of the test.
func (e *env) keep(err error) error {
	if err != nil {
		e.errs = append(e.errs, err)
	}
	return err
}

// checkNoToken asserts that no log line, no returned error and no request
// outside the URL path carried the token.
func (e *env) checkNoToken() {
	t := e.t
	for _, line := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(line, testToken) {
			t.Errorf("a log line holds the bot token: %s", line)
		}
	}
	for _, err := range e.errs {
		if strings.Contains(err.Error(), testToken) {
			t.Errorf("an error holds the bot token: %v", err)
		}
	}
	for _, r := range e.fake.Requests() {
		if strings.Contains(r.Body, testToken) || strings.Contains(r.Query, testToken) {
			t.Errorf("a %s request carries the token outside the path", r.Method)
		}
		for k, v := range r.Header {
			if strings.Contains(strings.Join(v, " "), testToken) {
				t.Errorf("header %s carries the token", k)
			}
		}
	}
}

// run starts the command loop with r and returns a stop function that
// waits for it to return.
func (e *env) run(r Router) (stop func()) {
	ctx, cancel := context.WithCancel(e.t.Context())
	done := make(chan error, 1)
	go func() { done <- e.client.Run(ctx, r) }()
	return func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				e.t.Errorf("Run returned %v, want nil after cancellation", e.keep(err))
			}
		case <-time.After(15 * time.Second):
			e.t.Fatal("Run did not return after its context was cancelled")
		}
	}
}

func dest(chat string) news.Destination {
	d, err := news.ParseDestination("telegram:" + chat)
	if err != nil {
		panic(err)
	}
	return d
}

// sampleAlert is the adapters' shared sample alert (alertstest.Sample).
func sampleAlert(d news.Destination) news.Alert { return alertstest.Sample(d) }

func isPermanent(err error) bool { return errors.Is(err, bot.ErrPermanent) }
