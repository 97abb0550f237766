#!/usr/bin/env bash
# Builds the Compose file checker (see main.go: compose-go, the loader of `docker compose`) to
# <repo>/.cache/compose-config/compose-config, for test/integration/deployment-files.test.ts.
#
# Idempotent: does nothing when the binary is newer than main.go, go.mod, go.sum and this script.
# Safe to run concurrently (several test workers may call it at once): builds hold a lock and
# the binary is moved into place atomically, so nobody ever runs a half-written file.
#
# Needs Go >= 1.24 on PATH and the Go module proxy (or a warm module cache); the test calls it.
#
# Usage: test/compose-config/build.sh [--force]
set -euo pipefail

src_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$src_dir/../.." && pwd)"
out_dir="$repo_root/.cache/compose-config"
out="$out_dir/compose-config"
force="${1:-}"

up_to_date() {
  [[ -x "$out" ]] || return 1
  local f
  for f in "$src_dir/main.go" "$src_dir/go.mod" "$src_dir/go.sum" "$src_dir/build.sh"; do
    [[ "$f" -nt "$out" ]] && return 1
  done
  return 0
}

if [[ "$force" != "--force" ]] && up_to_date; then
  echo "compose-config: up to date ($out)"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "compose-config: 'go' is not on PATH; install Go >= 1.24 to build it" >&2
  exit 1
fi

mkdir -p "$out_dir"

build() {
  # Another process may have finished the build while we waited for the lock.
  if [[ "$force" != "--force" ]] && up_to_date; then
    echo "compose-config: up to date ($out)"
    return 0
  fi
  local tmp="$out.tmp.$$"
  local started=$SECONDS
  echo "compose-config: building $out (about 20 s the first time)..."
  (
    cd "$src_dir"
    # GOTOOLCHAIN=local: never download another Go toolchain. CGO_ENABLED=0: pure Go.
    # -mod=readonly (the default) keeps go.sum authoritative; -buildvcs=false because the repo may
    # have no commits yet.
    GOTOOLCHAIN=local CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags='-s -w' -o "$tmp" .
  ) || { rm -f "$tmp"; exit 1; }
  mv -f "$tmp" "$out"
  echo "compose-config: built in $((SECONDS - started))s"
}

if command -v flock >/dev/null 2>&1; then
  exec 9>"$out_dir/.build.lock"
  flock 9
  build
else
  build
fi
