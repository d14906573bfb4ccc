package cli

import (
	"fmt"
	"log/slog"
	"net/http"

	"herald/config"
	"herald/watchers"
	"herald/web"
)

// startWeb makes the status pages' server (web.enabled), to be served on
// listen:, or on loopback when listen: is not set.
func (s *service) startWeb(cfg *config.Config, log *slog.Logger) error {
	s.webCfg.Store(web.ConfigOf(cfg))
	w, err := web.New(web.Options{
		Store: s.db, Search: s.search, Config: s.webCfg.Load,
		Listen: cfg.WebListen(), Token: cfg.Web.Token, Now: s.now, Log: log,
	})
	if err != nil {
		return fmt.Errorf("status pages: %w", err)
	}
	s.web = w
	if s.mux == nil {
		s.mux = http.NewServeMux()
	}
	return nil
}

// observers tells every observer of a list about each poll.
type observers []watchers.Observer

func (o observers) ObservePoll(ev watchers.PollEvent) {
	for _, x := range o {
		x.ObservePoll(ev)
	}
}
