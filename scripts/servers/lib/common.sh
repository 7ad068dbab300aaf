# shellcheck shell=bash
# Shared helpers for scripts/servers/*.sh. Sourced, not executed.
# Callers set `set -euo pipefail` themselves.

# shellcheck disable=SC2034 # used by the scripts that source this file
SERVERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$SERVERS_DIR/../.." && pwd)"
TOOLS_DIR="$REPO_ROOT/.tools"
# State (pid files, logs, data, locks). A test that stops and starts a server runs a private
# instance with its own SERVERS_RUN_DIR and ports, so the shared servers are never touched.
RUN_DIR="${SERVERS_RUN_DIR:-$REPO_ROOT/.run}"

# Every JVM we start carries this marker so that `stop` never signals a
# process that merely reused a stale pid.
SERVERS_MARKER_PREFIX="-Dnationpulse.server="

log() { printf '[servers:%s] %s\n' "${SERVICE:-?}" "$*" >&2; }
die() { printf '[servers:%s] ERROR: %s\n' "${SERVICE:-?}" "$*" >&2; exit 1; }

now_ms() { date +%s%3N; }

# port_open HOST PORT -> 0 when something accepts a TCP connection.
port_open() {
  timeout 2 bash -c ": >/dev/tcp/$1/$2" 2>/dev/null
}

# pid_alive PID MARKER -> 0 when PID is running and its command line contains
# MARKER (guards against pid reuse after a reboot / container restart).
pid_alive() {
  local pid="$1" marker="$2"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 0
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker"
}

# read_pid FILE -> prints the pid or nothing.
read_pid() {
  if [[ -s "$1" ]]; then tr -dc '0-9' <"$1" || true; fi
}

# our_pid PIDFILE MARKER -> prints pid when the pidfile names a live process of ours.
our_pid() {
  local pid
  pid="$(read_pid "$1")"
  if [[ -n "$pid" ]] && pid_alive "$pid" "$2"; then
    echo "$pid"
  fi
}

# stop_pid PID MARKER TIMEOUT_S -> SIGTERM, wait, then SIGKILL.
stop_pid() {
  local pid="$1" marker="$2" timeout_s="$3" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while pid_alive "$pid" "$marker"; do
    if (( waited >= timeout_s * 10 )); then
      log "pid $pid still running after ${timeout_s}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      local k=0
      while pid_alive "$pid" "$marker" && (( k < 50 )); do sleep 0.1; k=$((k + 1)); done
      return 0
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

# with_lock NAME CMD... -> run CMD while holding an exclusive lock, so that
# concurrent start/stop calls (parallel test jobs) do not race each other.
with_lock() {
  local name="$1"; shift
  mkdir -p "$RUN_DIR/$name"
  local lockfile="$RUN_DIR/$name/.lock"
  exec {SERVERS_LOCK_FD}>"$lockfile"
  if ! flock -w "${SERVERS_LOCK_TIMEOUT:-300}" "$SERVERS_LOCK_FD"; then
    die "could not take $lockfile within ${SERVERS_LOCK_TIMEOUT:-300}s (another start/stop is stuck?)"
  fi
  # No `|| rc=$?` here: that would switch off `set -e` inside CMD. On failure
  # the script exits and the kernel drops the lock with the fd.
  "$@"
  flock -u "$SERVERS_LOCK_FD"
  exec {SERVERS_LOCK_FD}>&-
  unset SERVERS_LOCK_FD
}

# nolock CMD... -> run CMD without the with_lock fd. Anything that may outlive
# this script (servers, daemons, services started by a package's postinst) must
# go through this, or the next start/stop would wait on a lock the server holds.
nolock() {
  if [[ -n "${SERVERS_LOCK_FD:-}" ]]; then
    "$@" {SERVERS_LOCK_FD}>&-
  else
    "$@"
  fi
}

# launch_bg LOGFILE PIDFILE CMD... -> start CMD detached (own session, stdin
# from /dev/null, output to LOGFILE) and record its pid. Prints the pid.
launch_bg() {
  local logfile="$1" pidfile="$2"; shift 2
  # Keep the previous log for post-mortems of restarts.
  if [[ -s "$logfile" ]]; then mv -f "$logfile" "$logfile.1"; fi
  # The backgrounded subshell is not a process-group leader (no job control in
  # scripts), so setsid execs in place and $! is the server's own pid. The
  # with_lock fd is closed first (see nolock).
  (
    if [[ -n "${SERVERS_LOCK_FD:-}" ]]; then exec {SERVERS_LOCK_FD}>&-; fi
    exec setsid "$@" </dev/null >"$logfile" 2>&1
  ) &
  local pid=$!
  echo "$pid" >"$pidfile"
  echo "$pid"
}

# tail_log FILE [N] -> print the last lines of a log to stderr.
tail_log() {
  local f="$1" n="${2:-60}"
  if [[ -f "$f" ]]; then
    printf -- '----- last %s lines of %s -----\n' "$n" "$f" >&2
    tail -n "$n" "$f" >&2 || true
    printf -- '----- end of %s -----\n' "$f" >&2
  fi
}

need_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is required but not on PATH${2:+ ($2)}"
}

# file_hash FILE... -> one sha256 over the given files' content.
file_hash() { cat "$@" | sha256sum | cut -c1-64; }

# mvn_run ARGS... -> Maven in batch mode, quiet, failing with a readable message.
mvn_run() {
  need_cmd mvn "install Maven 3.8+"
  local out rc=0
  out="$(mktemp)"
  mvn -B -q -ntp "$@" >"$out" 2>&1 || rc=$?
  if (( rc != 0 )); then
    tail -n 80 "$out" >&2
    rm -f "$out"
    die "mvn $* failed (exit $rc)"
  fi
  rm -f "$out"
}

# --- Start/stop/status shared by the JVM servers (kafka.sh, mongo.sh) ---------------------------
# The caller sets SERVICE, SERVER_LABEL (for messages), SERVER_HOST, SERVER_PORT, START_TIMEOUT,
# STOP_TIMEOUT (s), READY_POLL_S, PIDFILE, LOGFILE, MARKER, and defines `ping` (exit 0 when the
# server answers; what it prints is logged).

# server_wait_ready PID T0_MS -> 0 once the server answers; dies with the log's tail if the
# process exits or does not answer within START_TIMEOUT (it is then left running for inspection).
server_wait_ready() {
  local pid="$1" t0="$2" deadline=$(( $(date +%s) + START_TIMEOUT )) answer
  while (( $(date +%s) < deadline )); do
    if ! pid_alive "$pid" "$MARKER"; then
      tail_log "$LOGFILE" 80
      rm -f "$PIDFILE"
      die "$SERVER_LABEL process $pid exited during startup (log: ${LOGFILE#"$REPO_ROOT"/})"
    fi
    if port_open "$SERVER_HOST" "$SERVER_PORT" && answer="$(ping)"; then
      log "ready on $SERVER_HOST:$SERVER_PORT (pid $pid) after $(( $(now_ms) - t0 ))ms${answer:+: $answer}"
      return 0
    fi
    sleep "$READY_POLL_S"
  done
  tail_log "$LOGFILE" 80
  die "$SERVER_LABEL (pid $pid) did not answer on $SERVER_HOST:$SERVER_PORT within ${START_TIMEOUT}s; it is left running for inspection (stop: $0 stop)"
}

# server_stop [NOTE] -> stops the server these scripts started (SIGTERM, then SIGKILL after
# STOP_TIMEOUT); leaves alone anything else answering on the port.
server_stop() {
  local pid t0
  pid="$(our_pid "$PIDFILE" "$MARKER")"
  if [[ -z "$pid" ]]; then
    rm -f "$PIDFILE"
    if port_open "$SERVER_HOST" "$SERVER_PORT"; then
      log "not started by this script; the $SERVER_LABEL answering on $SERVER_HOST:$SERVER_PORT is left alone"
    else
      log "not running"
    fi
    return 0
  fi
  t0="$(now_ms)"
  stop_pid "$pid" "$MARKER" "$STOP_TIMEOUT"
  rm -f "$PIDFILE"
  log "stopped pid $pid in $(( $(now_ms) - t0 ))ms${1:+ ($1)}"
}

# server_status -> 0 answering, 1 ours but not answering, 3 stopped.
server_status() {
  local pid
  pid="$(our_pid "$PIDFILE" "$MARKER")"
  if [[ -n "$pid" ]]; then
    if port_open "$SERVER_HOST" "$SERVER_PORT" && ping >/dev/null; then
      echo "$SERVICE: running (pid $pid), answering on $SERVER_HOST:$SERVER_PORT"
      return 0
    fi
    echo "$SERVICE: running (pid $pid) but not answering on $SERVER_HOST:$SERVER_PORT"
    return 1
  fi
  if port_open "$SERVER_HOST" "$SERVER_PORT" && ping >/dev/null; then
    echo "$SERVICE: answering on $SERVER_HOST:$SERVER_PORT (not started by this script)"
    return 0
  fi
  echo "$SERVICE: stopped"
  return 3
}
