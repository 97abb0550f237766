#!/usr/bin/env bash
# Builds the FerretDB test server (see main.go) to <repo>/.cache/ferretdb/ferretdb.
#
# Idempotent: does nothing when the binary is newer than main.go, go.mod, go.sum and this script.
# Safe to run concurrently (several test workers may call it at once): builds hold a lock and
# the binary is moved into place atomically, so nobody ever runs a half-written file.
#
# Needs Go >= 1.24 on PATH and the Go module proxy (or a warm module cache). CI calls it before
# the tests; test/support/mongodb.ts calls it when the binary is missing.
#
# Usage: test/ferretdb/build.sh [--force]
set -euo pipefail

src_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$src_dir/../.." && pwd)"
out_dir="$repo_root/.cache/ferretdb"
out="$out_dir/ferretdb"
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
  echo "ferretdb: up to date ($out)"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "ferretdb: 'go' is not on PATH; install Go >= 1.24 to build the test server" >&2
  exit 1
fi

mkdir -p "$out_dir"

build() {
  # Another process may have finished the build while we waited for the lock.
  if [[ "$force" != "--force" ]] && up_to_date; then
    echo "ferretdb: up to date ($out)"
    return 0
  fi
  local tmp="$out.tmp.$$"
  local started=$SECONDS
  echo "ferretdb: building $out (first build takes about a minute)..."
  (
    cd "$src_dir"
    # GOTOOLCHAIN=local: never download another Go toolchain. CGO_ENABLED=0: SQLite is pure Go.
    # -mod=readonly (the default) keeps go.sum authoritative; -buildvcs=false because the repo may
    # have no commits yet.
    GOTOOLCHAIN=local CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags='-s -w' -o "$tmp" .
  ) || { rm -f "$tmp"; exit 1; }
  mv -f "$tmp" "$out"
  echo "ferretdb: built in $((SECONDS - started))s"
}

if command -v flock >/dev/null 2>&1; then
  exec 9>"$out_dir/.build.lock"
  flock 9
  build
else
  build
fi
