package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium returns the path of a Chromium or Chrome, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium installed, so the pages are not tried in a browser; install it with apt-get install chromium (.ci/run does)")
	return ""
}

// artifacts is where the test leaves its screenshots: $HERALD_ARTIFACTS,
// else a temporary directory kept for the test's log.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("HERALD_ARTIFACTS")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "herald-web-e2e-"); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// TestBrowser opens the seeded herald's pages in headless Chromium: it logs
// in, reads the overview, then types a query with a mistake into the
// playground and corrects it, as an operator would.
func TestBrowser(t *testing.T) {
	exe := chromium(t)
	out := artifacts(t)
	const token = "e2e-token"
	_, ts := newTestServer(t, seed(t), token)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.WindowSize(1280, 900), chromedp.Flag("disable-gpu", true))
	actx, cancel := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(out, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	eval := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}

	// The login form, then the overview it returns to.
	err := chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`form.login input[name="token"]`)),
		chromedp.SendKeys(chromedp.CSS(`form.login input[name="token"]`), token),
		chromedp.Click(chromedp.CSS(`form.login button`)),
		chromedp.WaitVisible(chromedp.CSS(`table.feeds`)),
	)
	if err != nil {
		t.Fatalf("log in and open the overview: %v", err)
	}
	if first := eval(`document.querySelector("table.feeds tbody tr td a").textContent`); first != "zeta-ministry" {
		t.Errorf("first feed listed = %q, want the failing zeta-ministry", first)
	}
	// A chart is drawn: its bars have a size on the screen.
	drawn := eval(`(() => {
		const bars = [...document.querySelectorAll("svg.chart rect.bar")];
		const tall = bars.filter(b => b.getBoundingClientRect().height >= 1 && b.getBoundingClientRect().width >= 1);
		return bars.length + " bars, " + tall.length + " drawn";
	})()`)
	if !strings.HasPrefix(drawn, "21 bars, ") || strings.HasSuffix(drawn, " 0 drawn") {
		t.Errorf("topic charts: %s; want 21 bars, some drawn", drawn)
	}
	if cookie := eval(`document.cookie`); strings.Contains(cookie, sessionCookie) {
		t.Errorf("the session cookie is readable by scripts: %q", cookie)
	}
	shot("overview.png")

	// A topic's and a feed's page, with their charts.
	for _, p := range []struct{ path, name string }{{"/topics/nato", "topic.png"}, {"/feeds/zeta-ministry", "feed.png"}} {
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+p.path), chromedp.WaitVisible(chromedp.CSS(`svg.chart`))); err != nil {
			t.Fatalf("open %s: %v", p.path, err)
		}
		shot(p.name)
	}

	// The playground: a mistake shows the caret as it is typed...
	err = chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/playground"),
		chromedp.WaitVisible(chromedp.CSS(`#q`)),
		chromedp.SendKeys(chromedp.CSS(`#q`), `grain AND (nato`),
		chromedp.WaitVisible(chromedp.CSS(`.query-error pre.caret`)),
	)
	if err != nil {
		t.Fatalf("type a query with a mistake: %v", err)
	}
	if caret := eval(`document.querySelector(".query-error .c").textContent`); strings.TrimSpace(caret) != "^" || len(caret) != 11 {
		t.Errorf("caret line %q, want ^ under column 11", caret)
	}
	shot("playground-error.png")

	// ...and fixing it shows the items it matches, newest first.
	err = chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`document.getElementById("q").value = ""`),
		chromedp.SendKeys(chromedp.CSS(`#q`), `grain -opinion`),
		chromedp.WaitVisible(chromedp.CSS(`ol.results li.result`)),
	)
	if err != nil {
		t.Fatalf("fix the query: %v", err)
	}
	if n := eval(`String(document.querySelectorAll("ol.results li.result").length)`); n != "5" {
		t.Errorf("%s results, want the 5 grain items that are not opinion", n)
	}
	if first := eval(`document.querySelector("ol.results li.result .alert-title").textContent`); !strings.Contains(first, "grain deal signed") {
		t.Errorf("first result %q, want the newest grain item", first)
	}
	if url := eval(`location.pathname + location.search`); url != "/playground?q=grain%20-opinion" {
		t.Errorf("the address bar says %q, want the shareable link of the query", url)
	}
	shot("playground.png")

	// Without script, the button does the same.
	err = chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/playground?q=volcano"),
		chromedp.WaitVisible(chromedp.CSS(`ol.results li.result`)),
	)
	if err != nil {
		t.Fatalf("open a shared query: %v", err)
	}
	if got := eval(`document.getElementById("q").value`); got != "volcano" {
		t.Errorf("shared link fills the query with %q", got)
	}
}
