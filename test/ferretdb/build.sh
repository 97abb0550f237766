#!/usr/bin/env bash
# Builds the FerretDB test server (see main.go) to <repo>/.cache/ferretdb/ferretdb (how: see
# test/support/build-go-tool.sh). CI calls it before the tests; test/support/mongodb.ts calls it
# when the binary is missing. The first build takes about a minute.
#
# Usage: test/ferretdb/build.sh [--force]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$here/../support/build-go-tool.sh" ferretdb "$here" "the MongoDB-compatible test server" "${1:-}"
