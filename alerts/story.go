package alerts

import (
	"net/url"
	"sort"
	"strings"
	"time"

	"herald/news"
	"herald/rules"
)

// StoryWindow is how long a story is remembered across feeds: a copy that
// arrives later than this alerts again.
const StoryWindow = 48 * time.Hour

// minStoryTitleWords keeps short, generic titles ("Live updates", "Briefing")
// from making unrelated items one story.
const minStoryTitleWords = 5

// trackingParams are query parameters that say where a reader came from,
// not which article it is.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "msclkid": true, "yclid": true, "igshid": true,
	"mc_cid": true, "mc_eid": true, "ref": true, "ref_src": true, "ref_url": true, "cmpid": true,
	"ocid": true, "smid": true, "smtyp": true, "ito": true, "_ga": true, "_hsenc": true, "_hsmi": true,
	"mkt_tok": true, "s_cid": true, "sr_share": true, "taid": true, "share": true, "rss": true, "partner": true,
}

// StoryLink returns link reduced to what identifies the article: no scheme,
// no "www.", no fragment, no tracking parameters (utm_* and the like), the
// other parameters sorted, no trailing slash. It returns "" for a link that
// is not an absolute http(s) URL.
func StoryLink(link string) string {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	if p := u.Port(); p != "" && p != "80" && p != "443" {
		host += ":" + p
	}
	q := u.Query()
	var keys []string
	for k := range q {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "utm_") || trackingParams[lk] {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vs := q[k]
		sort.Strings(vs)
		for _, v := range vs {
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	out := host + strings.TrimRight(u.EscapedPath(), "/")
	if len(parts) > 0 {
		out += "?" + strings.Join(parts, "&")
	}
	return out
}

// StoryTitle returns the title as its normalised words, the way the rules
// see them, so that copies differing only in case, dashes, quotes or accents
// compare equal; "" for a title too short to tell stories apart.
func StoryTitle(title string) string {
	toks := rules.Tokenize(title)
	if len(toks) < minStoryTitleWords {
		return ""
	}
	words := make([]string, len(toks))
	for i, t := range toks {
		words[i] = t.Norm
	}
	return strings.Join(words, " ")
}

// setStoryKeys fills an item's story keys.
func setStoryKeys(it *news.Item) {
	it.StoryLink = StoryLink(it.Link)
	it.StoryTitle = StoryTitle(it.Title)
}
