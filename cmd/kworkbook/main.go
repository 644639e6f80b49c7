// Command kworkbook is an interactive Kubernetes workbook for the terminal.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/kworkbook/kworkbook/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.StdStreams())
	stop()
	os.Exit(code)
}
