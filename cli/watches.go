package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"gopkg.in/yaml.v3"

	"herald/news"
	"herald/store"
)

// watchJSON is one line of `herald watches -json`.
type watchJSON struct {
	ID          int64     `json:"id"`
	Destination string    `json:"destination"`
	Query       string    `json:"query"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	Paused      bool      `json:"paused"`
	Alerts      int       `json:"alerts"`
	LastAlert   time.Time `json:"last_alert,omitzero"`
}

func cmdWatches(ctx context.Context, c *cmdContext) int {
	args := c.fs.Args()
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	var id int64
	switch sub {
	case "", "export":
		if len(args) > 0 {
			fmt.Fprintf(c.env.Stderr, "herald watches: unexpected %q; see herald watches -h\n", args[0])
			return exitUsage
		}
	case "rm":
		var err error
		if len(args) != 1 {
			fmt.Fprintf(c.env.Stderr, "herald watches rm: give one watch ID; `herald watches` lists them\n")
			return exitUsage
		}
		if id, err = strconv.ParseInt(args[0], 10, 64); err != nil || id <= 0 {
			fmt.Fprintf(c.env.Stderr, "herald watches rm: %q is not a watch ID; `herald watches` lists them in its first column\n", args[0])
			return exitUsage
		}
	default:
		fmt.Fprintf(c.env.Stderr, "herald watches: unknown subcommand %q; use rm ID or export, or nothing to list\n", sub)
		return exitUsage
	}
	_, db, ok := c.openStore(ctx, "watches")
	if !ok {
		return exitError
	}
	defer db.Close()
	switch sub {
	case "rm":
		w, err := db.RemoveWatch(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			fmt.Fprintf(c.env.Stderr, "herald watches rm: there is no watch %d; `herald watches` lists them\n", id)
			return exitError
		}
		if err != nil {
			fmt.Fprintf(c.env.Stderr, "herald watches rm: %v\n", err)
			return exitError
		}
		fmt.Fprintf(c.env.Stdout, "removed watch %d of %s: %s\na running herald stops alerting on it within a second\n", w.ID, w.Destination, w.Query)
		return exitOK
	case "export":
		ws, err := db.Watches(ctx)
		if err != nil {
			fmt.Fprintf(c.env.Stderr, "herald watches export: %v\n", err)
			return exitError
		}
		out, err := exportWatches(ws)
		if err != nil {
			fmt.Fprintf(c.env.Stderr, "herald watches export: %v\n", err)
			return exitError
		}
		fmt.Fprint(c.env.Stdout, out)
		return exitOK
	}
	ws, err := db.WatchesCounted(ctx, time.Time{})
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "herald watches: %v\n", err)
		return exitError
	}
	if c.jsonOut {
		enc := json.NewEncoder(c.env.Stdout)
		for _, w := range ws {
			if err := enc.Encode(watchJSON{ID: w.ID, Destination: w.Destination.String(), Query: w.Query, CreatedBy: w.CreatedBy,
				CreatedAt: w.Created, Paused: w.Paused, Alerts: w.Alerts, LastAlert: w.LastAlert}); err != nil {
				fmt.Fprintf(c.env.Stderr, "herald watches: %v\n", err)
				return exitError
			}
		}
		return exitOK
	}
	if len(ws) == 0 {
		fmt.Fprintln(c.env.Stdout, "no watches; chats save them with /watch <query>")
		return exitOK
	}
	tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCHAT\tQUERY\tCREATED BY\tCREATED\tALERTS")
	for _, w := range ws {
		alerts := strconv.Itoa(w.Alerts)
		if w.Paused {
			alerts += " (paused)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", w.ID, w.Destination, w.Query, w.CreatedBy, w.Created.Format("2006-01-02 15:04"), alerts)
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(c.env.Stderr, "herald watches: %v\n", err)
		return exitError
	}
	return exitOK
}

// exportRule is a watch written as an entry of rules:.
type exportRule struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Query       string   `yaml:"query"`
	Notify      []string `yaml:"notify"`
}

// exportWatches writes the watches as a rules: section an operator can
// paste into config.yaml, to promote a watch into a topic.
func exportWatches(ws []news.Watch) (string, error) {
	if len(ws) == 0 {
		return "# no watches to export\n", nil
	}
	doc := struct {
		Rules []exportRule `yaml:"rules"`
	}{}
	for _, w := range ws {
		by := ""
		if w.CreatedBy != "" {
			by = " by " + w.CreatedBy
		}
		doc.Rules = append(doc.Rules, exportRule{
			Name:        "watch-" + strconv.FormatInt(w.ID, 10),
			Description: fmt.Sprintf("watch %d of %s%s, saved %s", w.ID, w.Destination, by, w.Created.Format("2006-01-02")),
			Query:       w.Query,
			Notify:      []string{w.Destination.String()},
		})
	}
	var b strings.Builder
	b.WriteString("# herald watches export: paste the entries into the rules: of config.yaml,\n" +
		"# then remove the watch with herald watches rm ID so the chat is not alerted twice.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return b.String(), nil
}
