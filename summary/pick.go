package summary

import (
	"sort"
	"strings"

	"herald/news"
)

// QuoteMax is the longest quotation Pick keeps whole, in characters.
const QuoteMax = 280

// Pick chooses at most n quotations for an alert. Quotations that contain the
// text of a hit (compared word by word, ignoring case and accents) come
// first, then those of the article's main speaker (the one quoted most often;
// the first quoted wins a tie), then the rest; the chosen ones keep article
// order. A quotation longer than 280 characters is cut after its last whole
// sentence that fits, or at a word boundary if even the first does not fit,
// and marked with "…".
func Pick(quotes []news.Quote, hits []news.Hit, n int) []news.Quote {
	if n <= 0 || len(quotes) == 0 {
		return nil
	}
	main := mainSpeaker(quotes)
	var hitWords [][]string
	for _, h := range hits {
		if w := wordsOf(h.Text); len(w) > 0 {
			hitWords = append(hitWords, w)
		}
	}
	type scored struct {
		i, score int
	}
	var cands []scored
	seen := map[string]bool{}
	for i, q := range quotes {
		key := strings.Join(wordsOf(q.Text), " ")
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		s := 0
		words := wordsOf(q.Text)
		for _, hw := range hitWords {
			if containsSeq(words, hw) {
				s += 2
				break
			}
		}
		if main != "" && q.Speaker == main {
			s++
		}
		cands = append(cands, scored{i, s})
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].score > cands[b].score })
	if len(cands) > n {
		cands = cands[:n]
	}
	sort.Slice(cands, func(a, b int) bool { return cands[a].i < cands[b].i })
	out := make([]news.Quote, 0, len(cands))
	for _, c := range cands {
		q := quotes[c.i]
		q.Text = cutQuote(q.Text, QuoteMax)
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
// sentences that fit, followed by " …"; a first sentence too long by itself
// is cut at a word boundary instead.
func cutQuote(s string, max int) string {
	if runeLen(s) <= max {
		return s
	}
	const mark = " …"
	end := -1
	for _, sp := range sentenceSpans(s) {
		if runeLen(s[:sp[1]])+runeLen(mark) > max {
			break
		}
		end = sp[1]
	}
	if end < 0 {
		return cutWords(s, max)
	}
	return s[:end] + mark
}
