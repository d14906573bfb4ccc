package summary

import (
	"sort"
	"strings"

	"herald/news"
)

// QuoteMax is the longest quotation Pick keeps whole, in characters.
const QuoteMax = 280

// Pick chooses at most n quotations for an alert. Quotations that contain the
// text of a hit in the article's text or title, or whose speaker's name does
// (compared word by word, ignoring case and accents), come first, then those of the article's main
// speaker (the one quoted most often; the first quoted wins a tie), then
// those with a known speaker, then the rest; the chosen ones keep article
// order, and a quotation repeated word for word is chosen once. A quotation
// longer than 280 characters is cut after its last whole sentence that fits
// and marked with " …"; when that would cut off the hit that chose it, the
// quotation is shown from the sentence holding the hit instead ("… ").
// A first sentence too long by itself is cut at a word boundary.
func Pick(quotes []news.Quote, hits []news.Hit, n int) []news.Quote {
	if n <= 0 || len(quotes) == 0 {
		return nil
	}
	main := mainSpeaker(quotes)
	var hitWords [][]string
	for _, h := range hits {
		if h.Field != "" && h.Field != "text" && h.Field != "title" {
			continue // a feed, tag or author hit says nothing about what was said
		}
		if w := wordsOf(h.Text); len(w) > 0 {
			hitWords = append(hitWords, w)
		}
	}
	type scored struct {
		i, score int
		hit      []string
	}
	var cands []scored
	seen := map[string]bool{}
	for i, q := range quotes {
		words := wordsOf(q.Text)
		key := strings.Join(words, " ")
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		c := scored{i: i}
		speaker := wordsOf(q.Speaker)
		for _, hw := range hitWords {
			if containsSeq(words, hw) {
				c.score += 4
				c.hit = hw
				break
			}
			if containsSeq(speaker, hw) {
				c.score += 4
				break
			}
		}
		switch {
		case main != "" && q.Speaker == main:
			c.score += 2
		case q.Speaker != "":
			c.score++
		}
		cands = append(cands, c)
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].score > cands[b].score })
	if len(cands) > n {
		cands = cands[:n]
	}
	sort.Slice(cands, func(a, b int) bool { return cands[a].i < cands[b].i })
	out := make([]news.Quote, 0, len(cands))
	for _, c := range cands {
		q := quotes[c.i]
		q.Text = cutQuote(q.Text, QuoteMax, c.hit)
		out = append(out, q)
	}
	return out
}

// mainSpeaker is the speaker with the most quotations; the first quoted wins
// a tie. Unknown speakers do not count.
func mainSpeaker(quotes []news.Quote) string {
	count := map[string]int{}
	best := ""
	for _, q := range quotes {
		if q.Speaker == "" {
			continue
		}
		count[q.Speaker]++
		if best == "" || count[q.Speaker] > count[best] {
			best = q.Speaker
		}
	}
	return best
}

// containsSeq reports whether the words of needle appear together, in order,
// in words.
func containsSeq(words, needle []string) bool {
	for i := 0; i+len(needle) <= len(words); i++ {
		ok := true
		for j, w := range needle {
			if words[i+j] != w {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// cutQuote shortens a quotation longer than max characters to its whole
// sentences that fit, followed by " …". When hit (a word sequence) is in the
// quotation but not in what would be kept, the kept sentences start at the
// first one holding it, after "… ". A sentence too long by itself is cut at
// a word boundary instead.
func cutQuote(s string, max int, hit []string) string {
	if runeLen(s) <= max {
		return s
	}
	const mark = " …"
	sents := sentenceSpans(s)
	from := 0
	if len(hit) > 0 && containsSeq(wordsOf(s), hit) && !containsSeq(wordsOf(fitting(s, sents, max-runeLen(mark))), hit) {
		for k, sp := range sents {
			if containsSeq(wordsOf(s[sp[0]:sp[1]]), hit) {
				from = k
				break
			}
		}
	}
	prefix := ""
	if from > 0 {
		prefix = "… "
		s = s[sents[from][0]:]
		sents = sentenceSpans(s)
	}
	if runeLen(prefix+s) <= max {
		return prefix + s
	}
	kept := fitting(s, sents, max-runeLen(prefix)-runeLen(mark))
	if kept == "" {
		return cutWords(prefix+s, max)
	}
	return prefix + kept + mark
}

// fitting returns the whole sentences at the start of s (whose spans are
// sents) that fit in max characters, or "" when the first does not.
func fitting(s string, sents [][2]int, max int) string {
	end := -1
	for _, sp := range sents {
		if runeLen(s[:sp[1]]) > max {
			break
		}
		end = sp[1]
	}
	if end < 0 {
		return ""
	}
	return s[:end]
}
