#!/usr/bin/env bash
# Stop the servers that scripts/servers/*.sh started (Kafka, the Mongo wire
# server, and Redis only if this project started it: a Redis that was already
# answering, e.g. the machine's own, is left running).
#
#   scripts/servers/down.sh [redis] [mongo] [kafka]   (default: all three)
set -euo pipefail

SERVICE=down
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

services=()
for arg in "$@"; do
  case "$arg" in
    redis|mongo|kafka) services+=("$arg") ;;
    -h|--help) sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument '$arg' (expected redis, mongo or kafka)" ;;
  esac
done
(( ${#services[@]} )) || services=(kafka mongo redis)

failed=()
for s in "${services[@]}"; do
  "$SERVERS_DIR/$s.sh" stop || failed+=("$s")
done
(( ${#failed[@]} == 0 )) || die "could not stop: ${failed[*]}"
