#!/usr/bin/env bash
# The test command (`npm test`): type-check and lint every package, then run every test tier.
# Integration tests need real servers (Redis, a MongoDB-wire server, Kafka): the ones not already
# answering are started here and stopped again at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'bash scripts/servers/down.sh >/dev/null 2>&1 || true' EXIT
eval "$(bash scripts/servers/up.sh --export)"
npx turbo run typecheck lint --concurrency=2
npx vitest run "$@"
