package config

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Defaults of the watches: section.
const (
	DefaultWatchesPerChat  = 25
	DefaultWatchesMaxQuery = 300
	DefaultWatchesMaxShare = Share(0.20)
)

// Watches is the watches: section: the limits of the queries chats save
// for themselves with /watch. Every key is reloadable.
type Watches struct {
	// Enabled lets chats save watches; on unless set to false.
	Enabled *bool `yaml:"enabled"`
	// PerChat is how many watches one chat may have, its forum topics and
	// threads included; 0 is no limit.
	PerChat int `yaml:"per_chat"`
	// MaxQuery is the longest query a watch may have, in characters; 0 is no limit.
	MaxQuery int `yaml:"max_query"`
	// MaxShare refuses a query that would have matched more than this share
	// of the last 7 days' items ("20%" or 0.2); "off" or 0 turns the guard off.
	MaxShare Share `yaml:"max_share"`
	place
}

// On reports whether chats may save watches.
func (w Watches) On() bool { return w.Enabled == nil || *w.Enabled }

// Share is a fraction between 0 and 1, written "20%", 0.2 or "off" (0).
type Share float64

// UnmarshalYAML reads a share from a scalar.
func (s *Share) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("expected a share such as 20%% or 0.2, or off")
	}
	v := strings.TrimSpace(n.Value)
	if strings.EqualFold(v, "off") {
		*s = 0
		return nil
	}
	pct := strings.HasSuffix(v, "%")
	f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(v, "%")), 64)
	if err != nil {
		return fmt.Errorf("%q is not a share; write it as 20%% or 0.2, or off", n.Value)
	}
	if pct {
		f /= 100
	}
	if f < 0 || f > 1 {
		return fmt.Errorf("%q is not between 0%% and 100%%; write it as 20%% or 0.2, or off", n.Value)
	}
	*s = Share(f)
	return nil
}

// String writes the share as a percentage, or "off".
func (s Share) String() string {
	if s == 0 {
		return "off"
	}
	return strconv.FormatFloat(float64(s)*100, 'f', -1, 64) + "%"
}

// validateWatches fills the watches: defaults and checks the limits.
func (c *Config) validateWatches(errs *problems) {
	w := &c.Watches
	if _, set := w.keys["per_chat"]; !set {
		w.PerChat = DefaultWatchesPerChat
	}
	if _, set := w.keys["max_query"]; !set {
		w.MaxQuery = DefaultWatchesMaxQuery
	}
	if _, set := w.keys["max_share"]; !set {
		w.MaxShare = DefaultWatchesMaxShare
	}
	if w.PerChat < 0 {
		errs.add(w.at("per_chat"), "watches.per_chat: %d is negative; write how many watches one chat may have, or 0 for no limit", w.PerChat)
	}
	if w.MaxQuery < 0 {
		errs.add(w.at("max_query"), "watches.max_query: %d is negative; write the longest query in characters, or 0 for no limit", w.MaxQuery)
	}
}
