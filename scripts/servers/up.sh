#!/usr/bin/env bash
# Start the servers the integration tests need (each only if not already
# answering), then print the environment to use on stdout:
#
#   scripts/servers/up.sh [redis] [mongo] [kafka]     (default: all three)
#   export $(scripts/servers/up.sh)                   # or: eval "$(scripts/servers/up.sh --export)"
#
# Progress and errors go to stderr, so stdout is only KEY=VALUE lines.
set -euo pipefail

SERVICE=up
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

prefix=""
services=()
for arg in "$@"; do
  case "$arg" in
    --export) prefix="export " ;;
    redis|mongo|kafka) services+=("$arg") ;;
    -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument '$arg' (expected redis, mongo, kafka or --export)" ;;
  esac
done
(( ${#services[@]} )) || services=(redis mongo kafka)

t0="$(now_ms)"
for s in "${services[@]}"; do
  ts="$(now_ms)"
  if ! "$SERVERS_DIR/$s.sh" start; then
    die "$s failed to start (see above); servers started so far stay up (stop them: scripts/servers/down.sh)"
  fi
  log "$s up in $(( $(now_ms) - ts ))ms"
done
log "all up in $(( $(now_ms) - t0 ))ms"

for s in "${services[@]}"; do
  case "$s" in
    redis) echo "${prefix}REDIS_URL=redis://127.0.0.1:${REDIS_PORT:-6379}" ;;
    mongo) echo "${prefix}MONGO_URL=mongodb://127.0.0.1:${MONGO_PORT:-27017}" ;;
    kafka) echo "${prefix}KAFKA_BROKERS=127.0.0.1:${KAFKA_PORT:-9092}" ;;
  esac
done
