package cli

import (
	"context"
	"fmt"
	"strconv"

	"herald/bot"
	"herald/news"
)

// deadListed is how many dead deliveries `herald status` lists.
const deadListed = 20

func cmdStatus(ctx context.Context, c *cmdContext) int {
	cfg, db, ok := c.openStore(ctx, "status")
	if !ok {
		return exitError
	}
	defer db.Close()
	cat := catalogOf(cfg)
	router := bot.NewRouter(db, func() bot.Catalog { return *cat }, c.env.Now, nil)
	m, err := router.Handle(ctx, bot.Request{Dest: news.Destination{Platform: news.Console}, Private: true, Command: "status"})
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "herald status: %v\n", err)
		return exitError
	}
	fmt.Fprintln(c.env.Stdout, m.Text())
	dead, err := db.Dead(ctx, deadListed)
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "herald status: %v\n", err)
		return exitError
	}
	if len(dead) > 0 {
		fmt.Fprintf(c.env.Stdout, "\nUndelivered alerts, newest first (herald retry [ID...] sends them again):\n")
		for _, d := range dead {
			fmt.Fprintf(c.env.Stdout, "  #%d  %s  %s  %q\n       %d attempts, last error: %s\n",
				d.Alert.ID, d.Alert.Destination, d.Alert.Rule, d.Alert.Title, d.Attempts, d.LastError)
		}
	}
	return exitOK
}

func cmdRetry(ctx context.Context, c *cmdContext) int {
	var ids []int64
	for _, a := range c.fs.Args() {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			fmt.Fprintf(c.env.Stderr, "herald retry: %q is not an outbox ID; `herald status` lists them as #ID\n", a)
			return exitUsage
		}
		ids = append(ids, id)
	}
	_, db, ok := c.openStore(ctx, "retry")
	if !ok {
		return exitError
	}
	defer db.Close()
	n, err := db.Requeue(ctx, c.env.Now(), ids...)
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "herald retry: %v\n", err)
		return exitError
	}
	fmt.Fprintf(c.env.Stdout, "requeued %d undelivered alerts; a running herald sends them within its next round, or run `herald once`\n", n)
	if len(ids) > 0 && n < len(ids) {
		fmt.Fprintf(c.env.Stderr, "herald retry: %d of the IDs given were not undelivered alerts (already sent, pending, or unknown)\n", len(ids)-n)
	}
	return exitOK
}
