package config

import (
	"net"
	"net/netip"
	"strings"
)

// Web is the web: section: the status pages served on listen:.
type Web struct {
	// Enabled turns the pages on; they are off unless it is true.
	Enabled bool `yaml:"enabled"`
	// Token, when set, is asked of every request: as a bearer token, or
	// typed once into the login form, which sets a cookie. Write it as
	// ${HERALD_WEB_TOKEN} to keep it out of the file.
	Token string `yaml:"token"`
	place
}

// DefaultWebListen is where the pages are served when web is enabled and
// listen: is not set: loopback only.
const DefaultWebListen = "127.0.0.1:8080"

// WebListen returns the address the status pages are served on: listen:,
// else DefaultWebListen; empty when the pages are off.
func (c *Config) WebListen() string {
	if !c.Web.Enabled {
		return ""
	}
	if c.Listen == "" {
		return DefaultWebListen
	}
	return c.Listen
}

// Loopback reports whether addr (host:port) only accepts connections from
// this machine: a loopback IP or "localhost". An empty host (":8080")
// listens on every interface, so it is not loopback.
func Loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// validateWeb expands the web token's ${VAR} and refuses pages that anyone
// on the network could read: enabled on a non-loopback address without a
// token.
func (c *Config) validateWeb(errs *problems, getenv func(string) string) {
	w := &c.Web
	var missing []string
	w.Token = envRef.ReplaceAllStringFunc(w.Token, func(m string) string {
		name := envRef.FindStringSubmatch(m)[1]
		v := getenv(name)
		if v == "" {
			missing = append(missing, name)
		}
		return v
	})
	if !w.Enabled {
		return
	}
	for _, name := range missing {
		errs.add(w.at("token"), "web.token: environment variable %s is not set; export it, or remove web.token and serve the pages on loopback only", name)
	}
	if len(missing) > 0 {
		return
	}
	if addr := c.WebListen(); w.Token == "" && !Loopback(addr) {
		errs.add(w.at("enabled"), "web: the status pages would be open to anyone who can reach %s; set web.token (such as ${HERALD_WEB_TOKEN}) or listen on a loopback address such as 127.0.0.1:8080", addr)
	}
}
