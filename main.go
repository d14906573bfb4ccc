// Command herald watches news feeds, matches their items against topic rules
// and posts alerts with summaries and quotes to Slack, Telegram or the console.
// See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"herald/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Env{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
	})
	stop()
	os.Exit(code)
}
