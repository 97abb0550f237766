// Command ferretdb runs FerretDB v1 (a MongoDB wire-protocol server on top of SQLite) for the
// project's tests. No mongod binary can be installed on the project's machines, so the contract
// tests of the MongoDB document store run against this instead.
//
// Why a module of our own: `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` builds a
// binary that panics at start-up looking for a generated build/version/version.txt that is not in
// the module (upstream issue #2982). The public embeddable package github.com/FerretDB/FerretDB/ferretdb
// skips that check when the main module is not FerretDB itself, so this tiny main package wraps it.
//
// Build (see build.sh):
//
//	GOTOOLCHAIN=local CGO_ENABLED=0 go build -o ferretdb .
//
// Run:
//
//	ferretdb -listen 127.0.0.1:27017 -sqlite-dir /tmp/ferretdb-data
//
// The process stops cleanly on SIGTERM or SIGINT (listener, connections and the SQLite backend
// are closed before it exits).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on (host:port)")
	sqliteDir := flag.String("sqlite-dir", "", "directory for the SQLite database files (created if missing; required)")
	sqliteParams := flag.String("sqlite-params", "_txlock=immediate", "query string appended to the SQLite file: URL")
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn or error")
	flag.Parse()

	if err := run(*listen, *sqliteDir, *sqliteParams, *logLevel); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}
}

func run(listen, sqliteDir, sqliteParams, logLevel string) error {
	if sqliteDir == "" {
		return fmt.Errorf("-sqlite-dir is required")
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("invalid -log-level %q: %w", logLevel, err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	dir, err := filepath.Abs(sqliteDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}

	// The SQLite handler wants `file:` + an existing directory ending in `/`.
	// `_txlock=immediate` avoids SQLITE_BUSY under concurrent writers.
	sqliteURL := "file:" + strings.TrimSuffix(dir, "/") + "/"
	if sqliteParams != "" {
		sqliteURL += "?" + sqliteParams
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	logger.Info("ferretdb listening", slog.String("listen", listen), slog.String("sqlite", sqliteURL))

	// Run blocks until ctx is cancelled, then closes the listener, the connections and the backend.
	if err := f.Run(ctx); err != nil {
		return err
	}
	logger.Info("ferretdb stopped")
	return nil
}
