// Package web serves herald's status pages: an overview of feeds, topics
// and deliveries, a page per topic and per feed, and a playground to try a
// query of the rule language on the stored items before it goes into the
// config.
//
// The pages only read: every route answers GET (and HEAD) but the login
// form's POST, and nothing writes the config or the store. They are drawn
// on the server with html/template, charts as inline SVG, and need no
// external asset; the playground's script, a same-origin file, only
// refreshes the page as the query is typed, and the page works without it.
// The Content-Security-Policy allows no inline script.
//
// With a token, every page asks for it: as a bearer token, or typed once
// into the login form, which sets an HttpOnly, SameSite=Strict cookie.
// Without a token the pages may only be served on a loopback address (New
// refuses any other).
package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"herald/config"
	"herald/news"
	"herald/rules"
	"herald/search"
	"herald/store"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Topic is a configured rule as the pages show it.
type Topic struct {
	Name, Description, Query, Exclude string
	// Feeds limits the rule to these feeds; empty: every feed.
	Feeds []string
	// Notify are the destinations the config names.
	Notify []news.Destination
}

// Feed is a configured feed as the pages show it.
type Feed struct {
	Name, URL string
	// Interval is the feed's own interval; zero is adaptive.
	Interval time.Duration
}

// Config is what the pages show of herald's configuration.
type Config struct {
	Topics []Topic
	Feeds  []Feed
	// Entities are what the playground's queries may name as @id.
	Entities []rules.Entity
}

// ConfigOf returns what the pages show of cfg.
func ConfigOf(cfg *config.Config) *Config {
	c := &Config{Entities: cfg.RuleEntities()}
	for _, r := range cfg.Rules {
		c.Topics = append(c.Topics, Topic{Name: r.Name, Description: r.Description, Query: r.Query, Exclude: r.Exclude,
			Feeds: r.Feeds, Notify: r.Destinations})
	}
	for _, f := range cfg.Feeds {
		c.Feeds = append(c.Feeds, Feed{Name: f.Name, URL: f.URL, Interval: time.Duration(f.Interval)})
	}
	return c
}

// Options configure a Server.
type Options struct {
	// Store is read for everything the pages show.
	Store *store.DB
	// Search answers the playground's queries; it holds the entities and
	// feed tags, as chat searches see them.
	Search *search.Engine
	// Config returns the configuration in force; a reload changes it.
	Config func() *Config
	// Listen is where the pages are served: without Token it must be a
	// loopback address.
	Listen string
	// Token, when set, is asked of every request.
	Token string
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Log takes the errors of pages that failed (nil: discarded).
	Log *slog.Logger
}

// Server serves the status pages. It is safe for concurrent use.
type Server struct {
	o     Options
	pages map[string]*template.Template
	// session is the value of the login cookie: an HMAC of a fixed text
	// under the token, so that the cookie is not the token itself.
	session string
	// wrong serialises the answers to a wrong token, each after
	// wrongDelay: guessing the token goes at one try a second, however
	// many clients try at once.
	wrong      sync.Mutex
	wrongDelay time.Duration
}

// wrongDelay is how long the answer to a wrong token waits.
const wrongDelay = time.Second

// ErrOpen is returned by New for pages that anyone on the network could
// read: no token, on an address that is not loopback.
var ErrOpen = errors.New("web: the status pages need web.token on an address that is not loopback")

// New returns the server of the pages, or ErrOpen when o.Token is empty
// and o.Listen is not a loopback address.
func New(o Options) (*Server, error) {
	if o.Store == nil || o.Search == nil || o.Config == nil {
		return nil, errors.New("web: new: Store, Search and Config are required")
	}
	if o.Token == "" && !config.Loopback(o.Listen) {
		return nil, fmt.Errorf("%w: %s would serve them to anyone who can reach it; set web.token (such as ${HERALD_WEB_TOKEN}) or listen on 127.0.0.1", ErrOpen, o.Listen)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{o: o, pages: map[string]*template.Template{}, wrongDelay: wrongDelay}
	if o.Token != "" {
		mac := hmac.New(sha256.New, []byte(o.Token))
		mac.Write([]byte("herald web session v1"))
		s.session = hex.EncodeToString(mac.Sum(nil))
	}
	for _, name := range []string{"overview", "topic", "feed", "playground", "login", "error"} {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: page %s: %w", name, err)
		}
		s.pages[name] = t
	}
	return s, nil
}

// Register adds the pages' routes to mux, beside whatever it serves already
// (/healthz, /metrics).
func (s *Server) Register(mux *http.ServeMux) {
	static, _ := fs.Sub(staticFiles, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(static))
	mux.Handle("GET /static/", s.headers(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})))
	mux.Handle("GET /{$}", s.guard(s.overview))
	mux.Handle("GET /topics/{name}", s.guard(s.topic))
	mux.Handle("GET /feeds/{name}", s.guard(s.feed))
	mux.Handle("GET /playground", s.guard(s.playground))
	mux.Handle("GET /login", s.headers(http.HandlerFunc(s.loginForm)))
	mux.Handle("POST /login", s.headers(http.HandlerFunc(s.login)))
}

// Handler returns a handler serving the pages alone.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Register(mux)
	return mux
}

// csp allows the pages' own style sheet and script and nothing inline but
// SVG, which is markup, not script.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// headers sets the headers every answer carries.
func (s *Server) headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		// Same-origin: the pages' links to articles carry no referrer,
		// and the login form's POST still carries its Origin.
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// page is a handler that draws one page: the template's name and its data,
// or an error.
type page func(r *http.Request) (name string, data any, err error)

// errNotFound is a page's error for a name that the config does not know.
type errNotFound struct{ what, name, hint string }

func (e *errNotFound) Error() string {
	return fmt.Sprintf("no %s named %q: %s", e.what, e.name, e.hint)
}

// guard checks the token, then draws the page.
func (s *Server) guard(p page) http.Handler {
	return s.headers(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			if r.Header.Get("Authorization") != "" {
				s.slowDown(r)
			}
			s.askLogin(w, r, http.StatusUnauthorized, "")
			return
		}
		name, data, err := p(r)
		if err != nil {
			var nf *errNotFound
			status := http.StatusInternalServerError
			msg := "herald could not read its store for this page; the server log has the details, and reloading the page tries again."
			if errors.As(err, &nf) {
				status, msg = http.StatusNotFound, err.Error()
			} else {
				s.o.Log.Error("web: a page failed", "path", r.URL.Path, "err", err)
			}
			s.render(w, status, "error", errorPage{Title: http.StatusText(status), Msg: msg})
			return
		}
		s.render(w, http.StatusOK, name, data)
	}))
}

// render executes a page into a buffer first, so that a failure midway
// answers 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	var b strings.Builder
	if err := s.pages[name].ExecuteTemplate(&b, "layout", data); err != nil {
		s.o.Log.Error("web: drawing a page failed", "page", name, "err", err)
		http.Error(w, "herald could not draw this page; the server log has the details", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprint(w, b.String())
}

type errorPage struct{ Title, Msg string }

// sessionCookie is the login cookie's name.
const sessionCookie = "herald_session"

// authorized reports whether r carries the token, as a bearer token or as
// the login cookie; without a token every request is.
func (s *Server) authorized(r *http.Request) bool {
	if s.o.Token == "" {
		return true
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, tok, ok := strings.Cut(auth, " ")
		return ok && strings.EqualFold(scheme, "Bearer") && sameSecret(strings.TrimSpace(tok), s.o.Token)
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		return sameSecret(c.Value, s.session)
	}
	return false
}

// sameSecret compares in constant time: both sides are hashed first, so
// that not even the length of the secret leaks.
func sameSecret(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

type loginPage struct {
	Title, Next, Msg string
}

// askLogin answers with the login form, which returns to r's page.
func (s *Server) askLogin(w http.ResponseWriter, r *http.Request, status int, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="herald"`)
	s.render(w, status, "login", loginPage{Title: "Log in", Next: localPath(r.URL.RequestURI()), Msg: msg})
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if s.o.Token == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, http.StatusOK, "login", loginPage{Title: "Log in", Next: localPath(r.URL.Query().Get("next"))})
}

// login checks the token typed into the form and sets the session cookie.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if s.o.Token == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if crossSite(r) {
		http.Error(w, "herald: a login from another site is refused; open the page on this server and log in there", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		s.render(w, http.StatusBadRequest, "login", loginPage{Title: "Log in", Next: "/", Msg: "The form could not be read; type the token again."})
		return
	}
	next := localPath(r.PostForm.Get("next"))
	if !sameSecret(r.PostForm.Get("token"), s.o.Token) {
		s.slowDown(r)
		s.render(w, http.StatusUnauthorized, "login", loginPage{Title: "Log in", Next: next,
			Msg: "That is not the token; it is web.token in herald's config (or the environment variable it names)."})
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: s.session, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// crossSite reports whether a browser says r was sent from another site:
// by Sec-Fetch-Site, else by an Origin naming another host. Clients that
// send neither (curl) are not browsers acting for another site.
func crossSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return false
	case "":
	default:
		return true
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return false
	}
	u, err := url.Parse(o)
	return err != nil || u.Host != r.Host
}

// slowDown holds the answer to a wrong token for wrongDelay, one answer at
// a time, or until the client goes away.
func (s *Server) slowDown(r *http.Request) {
	s.wrong.Lock()
	defer s.wrong.Unlock()
	t := time.NewTimer(s.wrongDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

// localPath returns p when it is a path on this server, else "/": the
// login form never sends anyone elsewhere.
func localPath(p string) string {
	if p == "" || p[0] != '/' || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.HasPrefix(p, "/login") {
		return "/"
	}
	return p
}

// ctxTimeout bounds the store queries of one page.
const ctxTimeout = 10 * time.Second

func pageContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), ctxTimeout)
}

// funcs are the templates' helpers.
var funcs = template.FuncMap{}
