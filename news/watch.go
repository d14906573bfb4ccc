package news

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Watch is a query a chat saved for itself with /watch: a personal topic.
// Its alerts, matches and mutes go by the rule name WatchRule(ID).
type Watch struct {
	// ID is the watch's number in the store; never reused.
	ID int64
	// Destination is where its alerts go: the chat, forum topic or thread
	// the /watch command was written in.
	Destination Destination
	// Query is the query as the chat wrote it.
	Query string
	// CreatedBy is who wrote the /watch command (the platform's user id),
	// or the operator.
	CreatedBy string
	// Created is when the watch was saved.
	Created time.Time
	// Paused is set while the chat refuses messages, as its subscriptions.
	Paused bool
	// Alerts and LastAlert count the items the watch matched since a time
	// the caller chose, and when it last did; zero when not asked for.
	Alerts    int
	LastAlert time.Time
}

// Errors of saving a watch, for callers to turn into replies.
var (
	// ErrWatchLimit means the chat has as many watches as it may have.
	ErrWatchLimit = errors.New("the chat has reached its limit of watches")
	// ErrWatchExists means the destination watches that query already.
	ErrWatchExists = errors.New("the chat watches this query already")
)

// watchPrefix starts the rule names of watches. The config refuses rule
// names that start with it, so the two never collide.
const watchPrefix = "watch:"

// WatchRule returns the rule name that a watch's matches, alerts and mutes
// are recorded under: "watch:17".
func WatchRule(id int64) string { return watchPrefix + strconv.FormatInt(id, 10) }

// WatchID returns the watch a rule name stands for, if it is a watch's.
func WatchID(rule string) (int64, bool) {
	rest, ok := strings.CutPrefix(rule, watchPrefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}

// Source is one topic or watch an alert was posted for.
type Source struct {
	// Rule is the topic's name, or the watch's rule name (WatchRule).
	Rule string `json:"rule"`
	// Watch is the watch's query when Rule is a watch; empty for a topic.
	Watch string `json:"watch,omitempty"`
}

// Sources returns every topic and watch the alert names: its own rule
// first, then the others of the same destination that matched the item.
func (a Alert) Sources() []Source {
	return append([]Source{{Rule: a.Rule, Watch: a.Watch}}, a.AlsoMatched...)
}
