package search

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"herald/rules"
)

// options are what a search says besides what to match: since: and sort:,
// which rules do not know.
type options struct {
	since     time.Time // zero: no lower bound
	relevance bool      // sort:relevance
}

// isQuote reports whether r opens or closes a phrase in the rules language.
func isQuote(r rune) bool {
	return r == '"' || r == '“' || r == '”' || r == '„'
}

// splitQuery takes since: and sort: out of q. Each is blanked out rather
// than removed, so that the offsets of errors in what rules parse still
// point into q as the user wrote it. They must stand alone, outside
// quotes and parentheses, as whole words.
func splitQuery(q string, now time.Time, loc *time.Location) (string, options, error) {
	var opts options
	out := []byte(q)
	sinceAt, sortAt := -1, -1
	for i := 0; i < len(q); {
		r, size := utf8.DecodeRuneInString(q[i:])
		switch {
		case isQuote(r):
			// Skip the phrase: its words are words, whatever they look like.
			j := i + size
			for j < len(q) {
				r2, s2 := utf8.DecodeRuneInString(q[j:])
				j += s2
				if isQuote(r2) {
					break
				}
			}
			i = j
			continue
		case unicode.IsSpace(r):
			i += size
			continue
		}
		end := i
		for end < len(q) {
			r2, s2 := utf8.DecodeRuneInString(q[end:])
			if unicode.IsSpace(r2) || isQuote(r2) {
				break
			}
			end += s2
		}
		word := q[i:end]
		name, value, found := strings.Cut(word, ":")
		switch {
		case found && strings.EqualFold(name, "since"):
			if sinceAt >= 0 {
				return "", opts, queryError(i, "since: is given twice; keep one")
			}
			t, err := parseSince(value, now, loc)
			if err != nil {
				return "", opts, queryError(i, "%s: %v", word, err)
			}
			sinceAt, opts.since = i, t
			blank(out[i:end])
		case found && strings.EqualFold(name, "sort"):
			if sortAt >= 0 {
				return "", opts, queryError(i, "sort: is given twice; keep one")
			}
			switch strings.ToLower(value) {
			case "relevance":
				opts.relevance = true
			case "newest", "date":
			default:
				return "", opts, queryError(i, "%s: write sort:relevance for the best matches first, or sort:newest (the default)", word)
			}
			sortAt = i
			blank(out[i:end])
		}
		i = end
	}
	return string(out), opts, nil
}

func blank(b []byte) {
	for i := range b {
		b[i] = ' '
	}
}

// queryError is a problem with the search-only part of a query, in the form
// rules report theirs.
func queryError(offset int, format string, args ...any) *rules.Error {
	return &rules.Error{Field: rules.RuleQuery, Offset: offset, Msg: fmt.Sprintf(format, args...)}
}

// parseSince reads since:'s value: a duration back from now ("30m", "12h",
// "7d", "2w", "1y") or a date ("2024-04-01", midnight in loc).
func parseSince(v string, now time.Time, loc *time.Location) (time.Time, error) {
	if t, err := time.ParseInLocation("2006-01-02", v, loc); err == nil {
		return t, nil
	}
	units := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour, 'y': 365 * 24 * time.Hour}
	if len(v) >= 2 {
		if unit, ok := units[v[len(v)-1]|0x20]; ok {
			if n, err := strconv.Atoi(v[:len(v)-1]); err == nil && n > 0 && n <= 100*365*24*60 {
				d := time.Duration(n) * unit
				if d <= 100*365*24*time.Hour {
					return now.Add(-d), nil
				}
			}
		}
	}
	return time.Time{}, fmt.Errorf("write how far back, as in since:7d, since:12h or since:2w, or a date, as in since:2024-04-01")
}
