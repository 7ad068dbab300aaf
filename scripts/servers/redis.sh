#!/usr/bin/env bash
# Redis for tests.
#
#   scripts/servers/redis.sh start|stop|restart|status
#
# start: if something already answers PING on 127.0.0.1:$REDIS_PORT (e.g. the
# machine's own Redis), use it. Otherwise start redis-server (installing the
# Debian package first if it is missing) with state in .run/redis/.
# stop: stops only a Redis this script started (pid file in .run/redis/).
set -euo pipefail

SERVICE=redis
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

REDIS_HOST=127.0.0.1
REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_START_TIMEOUT="${REDIS_START_TIMEOUT:-20}"
REDIS_STOP_TIMEOUT="${REDIS_STOP_TIMEOUT:-15}"
STATE="$RUN_DIR/redis"
PIDFILE="$STATE/redis.pid"
LOGFILE="$STATE/redis.log"
# redis-server rewrites its process title to "redis-server HOST:PORT".
MARKER="redis-server"

usage() {
  sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 64
}

ping() {
  local reply=""
  if command -v redis-cli >/dev/null 2>&1; then
    reply="$(timeout 3 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null || true)"
    [[ "$reply" == PONG ]]
  else
    # No redis-cli: speak RESP by hand.
    reply="$(timeout 3 bash -c "exec 3<>/dev/tcp/$REDIS_HOST/$REDIS_PORT; printf 'PING\r\n' >&3; IFS= read -r line <&3; printf '%s' \"\$line\"" 2>/dev/null || true)"
    [[ "$reply" == +PONG* ]]
  fi
}

ensure_installed() {
  command -v redis-server >/dev/null 2>&1 && return 0
  log "redis-server not found; installing the Debian package redis-server"
  local sudo=()
  if (( EUID != 0 )); then
    command -v sudo >/dev/null 2>&1 || die "redis-server is missing and we are not root (install it: apt-get install -y redis-server)"
    sudo=(sudo -n)
  fi
  need_cmd apt-get "redis-server must be installed by hand on non-Debian systems"
  local apt_opts=(-y -q -o DPkg::Lock::Timeout=120 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  # nolock: the package's postinst may start a long-lived redis service.
  nolock timeout 300 "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 \
    || die "apt-get update failed"
  nolock timeout 600 "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" \
    --no-install-recommends redis-server >&2 || die "apt-get install redis-server failed"
  command -v redis-server >/dev/null 2>&1 || die "redis-server still not on PATH after installing it"
}

do_start() {
  local t0 pid
  t0="$(now_ms)"
  if ping; then
    pid="$(our_pid "$PIDFILE" "$MARKER")"
    if [[ -n "$pid" ]]; then
      log "already running (pid $pid, started by this script) on $REDIS_HOST:$REDIS_PORT"
    else
      log "already answering on $REDIS_HOST:$REDIS_PORT (not started by this script; left as is)"
    fi
    return 0
  fi
  pid="$(our_pid "$PIDFILE" "$MARKER")"
  if [[ -n "$pid" ]]; then
    die "redis pid $pid (ours) is running but does not answer PING on $REDIS_HOST:$REDIS_PORT (log: ${LOGFILE#"$REPO_ROOT"/})"
  fi
  rm -f "$PIDFILE"
  if port_open "$REDIS_HOST" "$REDIS_PORT"; then
    die "port $REDIS_HOST:$REDIS_PORT is taken by something that does not answer Redis PING"
  fi

  ensure_installed
  # A package install may have started Debian's own redis service.
  if ping; then
    log "answering on $REDIS_HOST:$REDIS_PORT after installing redis-server (system service; left as is)"
    return 0
  fi

  mkdir -p "$STATE"
  if [[ -s "$LOGFILE" ]]; then mv -f "$LOGFILE" "$LOGFILE.1"; fi
  # Same settings as the machine's CI Redis, with pid/log/dir under .run/redis.
  nolock redis-server --daemonize yes --bind "$REDIS_HOST" -::1 --port "$REDIS_PORT" \
    --save "" --appendonly no --dir "$STATE" --logfile "$LOGFILE" --pidfile "$PIDFILE" \
    </dev/null || { tail_log "$LOGFILE" 40; die "redis-server failed to start"; }

  local deadline=$(( $(date +%s) + REDIS_START_TIMEOUT ))
  while (( $(date +%s) < deadline )); do
    if ping; then
      log "started and answering on $REDIS_HOST:$REDIS_PORT (pid $(read_pid "$PIDFILE")) after $(( $(now_ms) - t0 ))ms"
      return 0
    fi
    sleep 0.1
  done
  tail_log "$LOGFILE" 40
  die "redis-server did not answer PING on $REDIS_HOST:$REDIS_PORT within ${REDIS_START_TIMEOUT}s"
}

do_stop() {
  local pid t0
  pid="$(our_pid "$PIDFILE" "$MARKER")"
  if [[ -z "$pid" ]]; then
    rm -f "$PIDFILE"
    if ping; then
      log "not started by this script; the Redis on $REDIS_HOST:$REDIS_PORT is left running"
    else
      log "not running"
    fi
    return 0
  fi
  t0="$(now_ms)"
  stop_pid "$pid" "$MARKER" "$REDIS_STOP_TIMEOUT"
  rm -f "$PIDFILE"
  log "stopped pid $pid in $(( $(now_ms) - t0 ))ms"
}

do_status() {
  local pid
  pid="$(our_pid "$PIDFILE" "$MARKER")"
  if ping; then
    if [[ -n "$pid" ]]; then
      echo "redis: running (pid $pid), answering on $REDIS_HOST:$REDIS_PORT"
    else
      echo "redis: answering on $REDIS_HOST:$REDIS_PORT (not started by this script)"
    fi
    return 0
  fi
  if [[ -n "$pid" ]]; then
    echo "redis: running (pid $pid) but not answering on $REDIS_HOST:$REDIS_PORT"
    return 1
  fi
  echo "redis: stopped"
  return 3
}

case "${1:-}" in
  start) with_lock redis do_start ;;
  stop) with_lock redis do_stop ;;
  restart) with_lock redis do_stop; with_lock redis do_start ;;
  status) do_status ;;
  *) usage ;;
esac
