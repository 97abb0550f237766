#!/usr/bin/env bash
# Builds a Go program of the test setup (a folder with main.go, go.mod and go.sum) to
# <repo>/.cache/<name>/<name>. test/ferretdb/build.sh and test/compose-config/build.sh call it.
#
# Idempotent: does nothing when the binary is newer than main.go, go.mod, go.sum, the calling
# script and this one. Safe to run concurrently (several test workers may call it at once): builds
# hold a lock and the binary is moved into place atomically, so nobody ever runs a half-written file.
#
# Needs Go >= 1.24 on PATH and the Go module proxy (or a warm module cache).
#
# Usage: test/support/build-go-tool.sh <name> <source folder> <what it is, for messages> [--force]
set -euo pipefail

name="$1"
src_dir="$(cd "$2" && pwd)"
what="$3"
force="${4:-}"
support_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$support_dir/../.." && pwd)"
out_dir="$repo_root/.cache/$name"
out="$out_dir/$name"

up_to_date() {
  [[ -x "$out" ]] || return 1
  local f
  for f in "$src_dir/main.go" "$src_dir/go.mod" "$src_dir/go.sum" "$src_dir/build.sh" "$support_dir/build-go-tool.sh"; do
    [[ "$f" -nt "$out" ]] && return 1
  done
  return 0
}

if [[ "$force" != "--force" ]] && up_to_date; then
  echo "$name: up to date ($out)"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "$name: 'go' is not on PATH; install Go >= 1.24 to build $what" >&2
  exit 1
fi

mkdir -p "$out_dir"

build() {
  # Another process may have finished the build while we waited for the lock.
  if [[ "$force" != "--force" ]] && up_to_date; then
    echo "$name: up to date ($out)"
    return 0
  fi
  local tmp="$out.tmp.$$"
  local started=$SECONDS
  echo "$name: building $out ($what)..."
  (
    cd "$src_dir"
    # GOTOOLCHAIN=local: never download another Go toolchain. CGO_ENABLED=0: pure Go.
    # -mod=readonly (the default) keeps go.sum authoritative; -buildvcs=false because the repo may
    # have no commits yet.
    GOTOOLCHAIN=local CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags='-s -w' -o "$tmp" .
  ) || { rm -f "$tmp"; exit 1; }
  mv -f "$tmp" "$out"
  echo "$name: built in $((SECONDS - started))s"
}

if command -v flock >/dev/null 2>&1; then
  exec 9>"$out_dir/.build.lock"
  flock 9
  build
else
  build
fi
