#!/usr/bin/env bash
# Builds the Compose file checker (see main.go: compose-go, the loader of `docker compose`) to
# <repo>/.cache/compose-config/compose-config (how: see test/support/build-go-tool.sh), for
# test/integration/deployment-files.test.ts, which calls it. About 20 s the first time.
#
# Usage: test/compose-config/build.sh [--force]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$here/../support/build-go-tool.sh" compose-config "$here" "the Compose file checker" "${1:-}"
