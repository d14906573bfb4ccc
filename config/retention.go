package config

import "time"

// MinRetention is the shortest retention: herald recognises a story arriving
// from several feeds within 48 hours by the items it keeps.
const MinRetention = Duration(2 * 24 * time.Hour)

// validateRetention checks retention:, which is a duration of at least
// MinRetention; absent (or 0) keeps everything.
func (c *Config) validateRetention(errs *problems) {
	switch r := c.Retention; {
	case r == 0:
	case r == Forever:
		errs.add(c.at("retention"), "retention: all is not a retention; leave retention out to keep everything")
	case r < MinRetention:
		errs.add(c.at("retention"), "retention: %s is too short; keep items at least %s (the 48 hours in which the same story from several feeds alerts once)", r, MinRetention)
	}
}
