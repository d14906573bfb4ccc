package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// do sends a request to ts without following redirects and returns the
// response and its body.
func do(t testing.TB, ts *httptest.Server, method, path string, body io.Reader, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// getOK fetches path from ts and fails unless it answers 200.
func getOK(t *testing.T, ts *httptest.Server, path string) (*http.Response, string) {
	t.Helper()
	resp, body := get(t, ts, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, resp.StatusCode, body)
	}
	return resp, body
}

// mustContain fails for each want missing from body.
func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

// mustNotContain fails for each text found in body.
func mustNotContain(t *testing.T, body string, nots ...string) {
	t.Helper()
	for _, n := range nots {
		if strings.Contains(body, n) {
			t.Errorf("page shows %q", n)
		}
	}
}

// feedOrder returns the feed names of the overview's feed table, in order.
func feedOrder(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<tr class="feed h-[a-z]+">\s*<td><a href="/feeds/([^"]+)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestOverview(t *testing.T) {
	_, ts := newTestServer(t, seed(t), "")
	resp, body := getOK(t, ts, "/")
	t.Run("feeds by health", func(t *testing.T) {
		got := strings.Join(feedOrder(body), " ")
		// Failing, then throttled, then never polled, then healthy by name.
		if want := "zeta-ministry busy fresh agency wire"; got != want {
			t.Errorf("feed order = %q, want %q", got, want)
		}
		mustContain(t, body, "404 Not Found; check the URL in a browser", "5m (own)", "30m (adaptive)",
			"waits as it was told", "Not polled yet.", `<span class="health h-failing">1 failing</span>`)
	})
	t.Run("charts", func(t *testing.T) {
		charts := regexp.MustCompile(`<svg class="chart"[^>]*aria-label="alerts of ([a-z]+) per day`).FindAllStringSubmatch(body, -1)
		if len(charts) != 3 {
			t.Fatalf("%d topic charts, want 3", len(charts))
		}
		// The loudest topic first; the one that never matched last.
		if charts[2][1] != "volcano" && charts[0][1] == "volcano" {
			t.Errorf("volcano charted first")
		}
		if n := strings.Count(body, `<rect class="bar"`); n != 3*7 {
			t.Errorf("%d bars, want 21 (3 topics × 7 days)", n)
		}
	})
	t.Run("queue", func(t *testing.T) {
		q := regexp.MustCompile(`(?s)<section id="queue">.*?</section>`).FindString(body)
		for _, platform := range []string{"telegram", "slack", "console"} {
			if !strings.Contains(q, "<td>"+platform+"</td>") {
				t.Errorf("queue lacks %s:\n%s", platform, q)
			}
		}
		if !strings.Contains(q, `bad">`) {
			t.Errorf("no dead alerts marked in the queue:\n%s", q)
		}
	})
	t.Run("last alerts", func(t *testing.T) {
		recent := regexp.MustCompile(`(?s)<section id="recent">.*?</section>`).FindString(body)
		if n := strings.Count(recent, `<li class="alert">`); n == 0 || n > 50 {
			t.Errorf("%d alerts listed, want 1..50", n)
		}
		mustContain(t, recent, "<mark>grain</mark>", "We will keep the corridor open", "slack:#news", "telegram:-10•••90", "dead", "retrying")
	})
	t.Run("a watch", func(t *testing.T) {
		mustContain(t, body, "Volcano watch: ash cloud", "topic watch:7</div>")
		mustNotContain(t, body, `href="/topics/watch:7"`)
	})
	t.Run("escaped and private", func(t *testing.T) {
		mustNotContain(t, body, `<script>alert`, "1001234567890", "987654321", "s3cr3t")
		mustContain(t, body, "GET https://busy.example/atom?page=…&amp;token=…: 429 Too Many Requests")
		mustContain(t, body, "&lt;script&gt;")
	})
	t.Run("headers", func(t *testing.T) {
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP = %q", csp)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("X-Content-Type-Options = %q", got)
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, " style=") {
			t.Errorf("the overview has inline script or style")
		}
	})
}

func TestTopic(t *testing.T) {
	_, ts := newTestServer(t, seed(t), "")
	_, body := getOK(t, ts, "/topics/nato")
	mustContain(t, body, "NATO and the Black Sea", `nato OR &#34;black sea&#34;`,
		`href="/playground?q=nato%20OR%20%22black%20sea%22"`,
		"<mark>NATO</mark>", "<mark>Black Sea</mark>")
	if n := strings.Count(body, `<rect class="bar"`); n != 30 {
		t.Errorf("%d bars, want 30 days", n)
	}
	chats := regexp.MustCompile(`(?s)<ul class="chats">.*?</ul>`).FindString(body)
	mustContain(t, chats, "console <small>(config)</small>", "telegram:-10•••90 <small>(config)</small>", "muted until",
		"telegram:98•••21 <small>(subscribed)</small>", "paused")
	mustNotContain(t, body, "987654321", "1001234567890", "1009876543210")
	// The topic's alerts only.
	if strings.Contains(body, "Volcano erupts") {
		t.Error("the nato page lists an alert of another topic")
	}

	t.Run("unknown", func(t *testing.T) {
		resp, body := get(t, ts, "/topics/nope")
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `no topic named &#34;nope&#34;`) {
			t.Errorf("status %d: %s", resp.StatusCode, body)
		}
	})
}

func TestFeed(t *testing.T) {
	s := seed(t)
	_, ts := newTestServer(t, s, "")
	t.Run("failing", func(t *testing.T) {
		_, body := getOK(t, ts, "/feeds/zeta-ministry")
		mustContain(t, body, "failing", "12 failed polls in a row", "404 Not Found", "error (http_4xx)")
		if n := strings.Count(body, `<tr class="o-error">`); n != 50 {
			t.Errorf("%d polls listed, want the last 50", n)
		}
		if n := strings.Count(body, `<rect class="bar bad"`); n != 50 {
			t.Errorf("%d failed polls drawn red, want 50", n)
		}
	})
	t.Run("items and rules", func(t *testing.T) {
		_, body := get(t, ts, "/feeds/wire")
		mustContain(t, body, "NATO ministers meet on Black Sea security", `<a href="/topics/nato">nato</a>`, `<span class="none">none</span>`, "ok")
		if n := strings.Count(body, `<rect class="bar"`); n != 50 {
			t.Errorf("%d bars in the poll chart, want 50", n)
		}
	})
	t.Run("secret in URL", func(t *testing.T) {
		_, body := get(t, ts, "/feeds/agency")
		mustNotContain(t, body, "s3cr3t")
		mustContain(t, body, "key=…")
	})
	t.Run("never polled", func(t *testing.T) {
		_, body := get(t, ts, "/feeds/fresh")
		mustContain(t, body, "No polls recorded yet.", "No items stored.")
	})
	t.Run("unknown", func(t *testing.T) {
		resp, _ := get(t, ts, "/feeds/nope")
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
}

func TestPlayground(t *testing.T) {
	s := seed(t)
	_, ts := newTestServer(t, s, "")
	t.Run("empty", func(t *testing.T) {
		resp, body := get(t, ts, "/playground")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		mustContain(t, body, `<form method="get" action="/playground"`, `<button type="submit">`, `<script src="/static/playground.js" defer></script>`)
		mustNotContain(t, body, "query-error", "Matching items")
	})
	t.Run("parse error", func(t *testing.T) {
		_, body := get(t, ts, "/playground?q="+url.QueryEscape(`grain AND (nato`))
		mustContain(t, body, `class="query-error"`, `<span class="c">          ^</span>`, "col 11: ")
		mustNotContain(t, body, "Matching items")
	})
	t.Run("search-only syntax", func(t *testing.T) {
		// A rule has no since:; the snippet must paste into a config.
		_, body := get(t, ts, "/playground?q="+url.QueryEscape(`grain since:7d`))
		mustContain(t, body, `class="query-error"`)
	})
	t.Run("matches", func(t *testing.T) {
		q := `grain -opinion`
		resp, body := get(t, ts, "/playground?q="+url.QueryEscape(q))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		mustNotContain(t, body, "query-error", "Opinion: grain prices")
		mustContain(t, body, `value="grain -opinion"`, "<mark>grain</mark>", `✓ grain: &#34;grain&#34; in title`,
			`href="/playground?q=grain&#43;-opinion"`)
		// Newest first: today's grain deal before yesterday's corridor.
		deal, corridor := strings.Index(body, "</mark> deal signed"), strings.Index(body, "</mark> exports resume")
		if deal < 0 || corridor < 0 || deal > corridor {
			t.Errorf("results not newest first (deal at %d, corridor at %d)", deal, corridor)
		}
		if n := strings.Count(body, `<rect class="bar"`); n != 7 {
			t.Errorf("%d bars, want 7 days", n)
		}
		yamlText := regexp.MustCompile(`(?s)<pre class="yaml">(.*?)</pre>`).FindStringSubmatch(body)
		if yamlText == nil {
			t.Fatal("no YAML snippet")
		}
		var doc struct {
			Rules []struct{ Name, Query string }
		}
		text := strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(yamlText[1])
		if err := yaml.Unmarshal([]byte(text), &doc); err != nil || len(doc.Rules) != 1 || doc.Rules[0].Query != q {
			t.Errorf("snippet %q reads back as %+v, %v", text, doc, err)
		}
	})
	t.Run("per day", func(t *testing.T) {
		// "grain" matched two seeded items a day on some days; the chart's
		// bars carry the counts in their titles.
		_, body := get(t, ts, "/playground?q=grain")
		titles := regexp.MustCompile(`<title>[A-Z][a-z]{2} \d+ Dec: (\d+) matches</title>`).FindAllStringSubmatch(body, -1)
		if len(titles) != 7 {
			t.Fatalf("%d days charted, want 7", len(titles))
		}
		total := 0
		for _, m := range titles {
			var n int
			if _, err := fmtSscan(m[1], &n); err != nil {
				t.Fatal(err)
			}
			total += n
		}
		// Seeded: 1 Dec none, then one a day but 5 Dec, and today four.
		if want := 8; total != want {
			t.Errorf("%d matches counted over 7 days, want %d: %v", total, want, titles)
		}
		mustContain(t, body, fmt.Sprintf("%d items since 1 Dec (UTC)", total))
	})
	t.Run("counting stops", func(t *testing.T) {
		defer func(c, p int) { countCap, countPage = c, p }(countCap, countPage)
		countCap, countPage = 3, 2
		// Two pages of two matches, newest first: the fourth is today's 11:00.
		_, body := get(t, ts, "/playground?q=grain")
		mustContain(t, body, "At least 4 items since 1 Dec (UTC). Counting stopped at Mon 7 Dec 11:00 UTC: earlier days may have more.")
	})
	t.Run("no inline script", func(t *testing.T) {
		_, body := get(t, ts, "/playground?q=nato")
		if regexp.MustCompile(`<script>|<script [^s]| on[a-z]+=`).MatchString(body) {
			t.Error("inline script on the playground")
		}
	})
}

func TestStatic(t *testing.T) {
	s := seed(t)
	_, ts := newTestServer(t, s, "tok")
	for _, path := range []string{"/static/style.css", "/static/playground.js"} {
		resp, body := get(t, ts, path)
		if resp.StatusCode != http.StatusOK || body == "" {
			t.Errorf("%s: status %d", path, resp.StatusCode)
		}
	}
}

func TestReadOnly(t *testing.T) {
	s := seed(t)
	_, ts := newTestServer(t, s, "")
	for _, path := range []string{"/", "/topics/nato", "/feeds/wire", "/playground?q=nato"} {
		for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
			resp, _ := do(t, ts, method, path, strings.NewReader("x=1"))
			if resp.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: status %d, want 405", method, path, resp.StatusCode)
			}
		}
		if resp, _ := do(t, ts, http.MethodHead, path, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("HEAD %s: status %d", path, resp.StatusCode)
		}
	}
}

func TestToken(t *testing.T) {
	s := seed(t)
	const token = "correct horse battery staple"
	srv, ts := newTestServer(t, s, token)
	srv.wrongDelay = 50 * time.Millisecond
	pages := []string{"/", "/topics/nato", "/feeds/wire", "/playground?q=nato"}
	t.Run("no token", func(t *testing.T) {
		for _, p := range pages {
			resp, body := get(t, ts, p)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s: status %d, want 401", p, resp.StatusCode)
			}
			mustContain(t, body, `<form method="post" action="/login"`, `name="next" value="`+strings.ReplaceAll(p, "?", "?")+`"`)
			mustNotContain(t, body, "zeta-ministry", "NATO ministers")
		}
	})
	t.Run("wrong bearer", func(t *testing.T) {
		for _, h := range []string{"Bearer wrong", "Bearer " + token + "x", "Basic " + token, token} {
			start := time.Now()
			if resp, _ := get(t, ts, "/", "Authorization", h); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("Authorization %q: status %d", h, resp.StatusCode)
			}
			// Not a timing goal: a wrong token is never answered at once.
			if took := time.Since(start); took < srv.wrongDelay {
				t.Errorf("Authorization %q answered after %s, before the %s delay", h, took, srv.wrongDelay)
			}
		}
	})
	t.Run("bearer", func(t *testing.T) {
		for _, p := range pages {
			resp, body := get(t, ts, p, "Authorization", "Bearer "+token)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s: status %d", p, resp.StatusCode)
			}
			mustNotContain(t, body, token)
		}
	})
	t.Run("wrong cookie", func(t *testing.T) {
		if resp, _ := get(t, ts, "/", "Cookie", sessionCookie+"="+token); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("the token itself as the cookie: status %d", resp.StatusCode)
		}
	})
	t.Run("login", func(t *testing.T) {
		form := url.Values{"token": {"wrong"}, "next": {"/feeds/wire"}}
		resp, body := do(t, ts, http.MethodPost, "/login", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
		if resp.StatusCode != http.StatusUnauthorized || len(resp.Cookies()) != 0 {
			t.Errorf("wrong token: status %d, cookies %v", resp.StatusCode, resp.Cookies())
		}
		mustContain(t, body, "That is not the token")

		form.Set("token", token)
		resp, _ = do(t, ts, http.MethodPost, "/login", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/feeds/wire" {
			t.Fatalf("login: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		cookies := resp.Cookies()
		if len(cookies) != 1 {
			t.Fatalf("cookies %v", cookies)
		}
		c := cookies[0]
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Value == token || strings.Contains(c.Value, token) {
			t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, not the token", c)
		}
		if c.Value != srv.session {
			t.Errorf("cookie value is not the session")
		}
		resp, _ = get(t, ts, "/feeds/wire", "Cookie", c.Name+"="+c.Value)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("with the cookie: status %d", resp.StatusCode)
		}
	})
	t.Run("login elsewhere", func(t *testing.T) {
		form := url.Values{"token": {token}, "next": {"//evil.example/"}}
		resp, _ := do(t, ts, http.MethodPost, "/login", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("next //evil.example/: redirected to %q", loc)
		}
		for _, h := range [][]string{{"Origin", "https://evil.example"}, {"Sec-Fetch-Site", "cross-site"}, {"Origin", "null", "Sec-Fetch-Site", "same-site"}} {
			resp, _ = do(t, ts, http.MethodPost, "/login", strings.NewReader(form.Encode()),
				append([]string{"Content-Type", "application/x-www-form-urlencoded"}, h...)...)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("a login posted from another site (%v): status %d, want 403", h, resp.StatusCode)
			}
		}
	})
}

func TestRefuseOpen(t *testing.T) {
	s := seed(t)
	for _, tc := range []struct {
		listen, token string
		ok            bool
	}{
		{"127.0.0.1:8080", "", true},
		{"[::1]:8080", "", true},
		{"localhost:8080", "", true},
		{":8080", "", false},
		{"0.0.0.0:8080", "", false},
		{"192.168.1.10:8080", "", false},
		{"herald.example:8080", "", false},
		{":8080", "tok", true},
	} {
		t.Run(tc.listen+"/"+tc.token, func(t *testing.T) {
			_, err := New(Options{Store: s.db, Search: s.search, Config: func() *Config { return s.cfg }, Listen: tc.listen, Token: tc.token})
			if tc.ok != (err == nil) {
				t.Fatalf("New: %v, want ok=%v", err, tc.ok)
			}
			if err != nil && (!errors.Is(err, ErrOpen) || !strings.Contains(err.Error(), tc.listen) || !strings.Contains(err.Error(), "web.token")) {
				t.Errorf("error %q does not say where and what to do", err)
			}
		})
	}
}

// fmtSscan reads one integer.
func fmtSscan(s string, n *int) (int, error) { return fmt.Sscan(s, n) }
