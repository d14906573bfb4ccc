package cli

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestRunServesStatusPages runs herald with web.enabled and a token, and
// reads the pages as a client with the token would, then a poll's history.
func TestRunServesStatusPages(t *testing.T) {
	feeds := newFeedServer(t)
	addr := freePort(t)
	cfg := writeConfig(t, t.TempDir(), fmt.Sprintf(`listen: %s
web:
  enabled: true
  token: ${HERALD_WEB_TOKEN}
feeds:
  - name: wire
    url: %s/feed.xml
rules:
  - name: nuc
    query: council
    notify: [console]
`, addr, feeds.URL))
	env := Env{Getenv: func(k string) string {
		if k == "HERALD_WEB_TOKEN" {
			return "pages-token"
		}
		return ""
	}}
	var out, logs syncBuffer
	cancel, done := startRun(t, cfg, env, &out, &logs)
	get := func(path, token string) (int, string) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+addr+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/", ""); code != http.StatusUnauthorized {
		t.Errorf("/ without the token: %d, want 401", code)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		// The poll is recorded within a second of its end.
		code, body := get("/feeds/wire", "pages-token")
		if code == http.StatusOK && strings.Contains(body, `<tr class="o-ok">`) {
			// The feed's three items were read and new.
			if !strings.Contains(body, `<td class="num">3</td><td class="num">3</td>`) {
				t.Errorf("the poll does not show 3 items read and new:\n%s", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/feeds/wire: %d\n%s\nlogs:\n%s", code, body, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, body := get("/", "pages-token"); code != http.StatusOK || !strings.Contains(body, `<a href="/topics/nuc">nuc</a>`) {
		t.Errorf("/: %d\n%s", code, body)
	}
	if code, _ := get("/healthz", ""); code != http.StatusOK {
		t.Errorf("/healthz beside the pages: %d", code)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("run exited %d\n%s", code, logs.String())
	}
	if strings.Contains(logs.String(), "pages-token") {
		t.Errorf("the token is in the log:\n%s", logs.String())
	}
}

// TestRunRefusesOpenPages: pages on every interface without a token stop
// herald before it starts, with the reason and the fix.
func TestRunRefusesOpenPages(t *testing.T) {
	cfg := writeConfig(t, t.TempDir(), "listen: :0\nweb: {enabled: true}\nfeeds: []\n")
	var out, logs syncBuffer
	code := Main(t.Context(), []string{"run", "-config", cfg}, Env{Stdout: &out, Stderr: &logs})
	if code == 0 || !strings.Contains(logs.String(), "web: the status pages would be open to anyone who can reach :0; set web.token") {
		t.Errorf("exit %d\n%s", code, logs.String())
	}
}
