package config

import (
	"strings"
	"testing"
)

// minimal is a config of 7 lines that loads without any environment.
const minimal = `feeds:
  - name: wire
    url: feed.xml
rules:
  - name: a
    query: x
    notify: [console]
`

func TestWeb(t *testing.T) {
	env := func(name string) string {
		if name == "HERALD_WEB_TOKEN" {
			return "s3cret"
		}
		return ""
	}
	for _, tc := range []struct {
		name, yaml string
		listen     string // WebListen, when the config loads
		token      string
		problem    string // a problem's text, when it does not
	}{
		{name: "off", yaml: "listen: :8080\n", listen: ""},
		{name: "default loopback", yaml: "web: {enabled: true}\n", listen: DefaultWebListen},
		{name: "loopback", yaml: "listen: 127.0.0.1:9000\nweb: {enabled: true}\n", listen: "127.0.0.1:9000"},
		{name: "token from env", yaml: "listen: :8080\nweb:\n  enabled: true\n  token: ${HERALD_WEB_TOKEN}\n", listen: ":8080", token: "s3cret"},
		{name: "open", yaml: "listen: :8080\nweb:\n  enabled: true\n",
			problem: "config.yaml:10:12: web: the status pages would be open to anyone who can reach :8080; set web.token"},
		{name: "token unset", yaml: "listen: :8080\nweb:\n  enabled: true\n  token: ${NOPE}\n",
			problem: "config.yaml:11:10: web.token: environment variable NOPE is not set"},
		{name: "unknown key", yaml: "web: {enabled: true, tokn: x}\n", problem: "tokn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load(write(t, minimal+tc.yaml), env)
			if tc.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("Load: %v, want a problem with %q", err, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.WebListen(); got != tc.listen {
				t.Errorf("WebListen = %q, want %q", got, tc.listen)
			}
			if cfg.Web.Token != tc.token {
				t.Errorf("token = %q, want %q", cfg.Web.Token, tc.token)
			}
		})
	}
}

func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "127.9.9.9:1": true, "[::1]:8080": true, "localhost:80": true, "LOCALHOST:80": true,
		":8080": false, "0.0.0.0:8080": false, "[::]:8080": false, "10.0.0.1:8080": false, "example.org:80": false, "bad": false,
	} {
		if got := Loopback(addr); got != want {
			t.Errorf("Loopback(%q) = %v, want %v", addr, got, want)
		}
	}
}
