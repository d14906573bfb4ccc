package cli

import (
	"context"

	"herald/config"
)

// MoveFeed writes a feed's new URL into the config file after a permanent
// redirect, as config.MoveFeedURL allows; the reload then polls it there, with the
// feed's state kept. It reports why not when it cannot.
func (a *configEditor) MoveFeed(_ context.Context, name, oldURL, newURL string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return config.Edit(a.c.configPath, a.c.env.Getenv, "the new url", func(_ *config.Config, data []byte) ([]byte, error) {
		return config.MoveFeedURL(data, name, oldURL, newURL)
	})
}
