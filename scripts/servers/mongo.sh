#!/usr/bin/env bash
# MongoDB wire-protocol test peer (de.bwaldvogel:mongo-java-server) for tests.
#
#   scripts/servers/mongo.sh start|stop|restart|status|build
#   scripts/servers/mongo.sh reset    stop and delete the h2 backend's file (memory: stop is enough)
#
# Source: scripts/servers/mongo-wire-server (pom + one main class), built with
# Maven into .tools/mongo-wire-server. State: .run/mongo/{mongo.pid,mongo.log,data/}.
# Env: MONGO_PORT (27017), MONGO_BACKEND (memory|h2), MONGO_SERVER_VERSION (5.0.0),
# MONGO_WIRE_VERSION, MONGO_OPLOG (false), MONGO_HEAP_OPTS, MONGO_START_TIMEOUT (60).
set -euo pipefail

SERVICE=mongo
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

MONGO_HOST=127.0.0.1
MONGO_PORT="${MONGO_PORT:-27017}"
MONGO_BACKEND="${MONGO_BACKEND:-memory}"
MONGO_HEAP_OPTS="${MONGO_HEAP_OPTS:--Xms64m -Xmx512m}"
MONGO_START_TIMEOUT="${MONGO_START_TIMEOUT:-60}"
MONGO_STOP_TIMEOUT="${MONGO_STOP_TIMEOUT:-20}"

SRC="$SERVERS_DIR/mongo-wire-server"
OUT="$TOOLS_DIR/mongo-wire-server"
STAMP="$OUT/.built"
STATE="$RUN_DIR/mongo"
PIDFILE="$STATE/mongo.pid"
LOGFILE="$STATE/mongo.log"
MONGO_H2_FILE="${MONGO_H2_FILE:-$STATE/data/mongo.mv}"
MARKER="${SERVERS_MARKER_PREFIX}mongo"
# For server_wait_ready / server_stop / server_status (lib/common.sh).
SERVER_LABEL=mongo-wire-server
SERVER_HOST="$MONGO_HOST"
SERVER_PORT="$MONGO_PORT"
START_TIMEOUT="$MONGO_START_TIMEOUT"
STOP_TIMEOUT="$MONGO_STOP_TIMEOUT"
READY_POLL_S=0.2
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
CP="$OUT/build/classes:$OUT/lib/*"
MAIN=nationpulse.servers.MongoWireServer

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 64
}

source_hash() {
  # pom + every source file, in a stable order
  local files
  mapfile -t files < <(cd "$SRC" && find pom.xml src -type f | LC_ALL=C sort)
  (cd "$SRC" && file_hash "${files[@]}")
}

build() {
  need_cmd "$JAVA" "install a JDK 17+"
  local want have=""
  want="$(source_hash)"
  [[ -f "$STAMP" ]] && have="$(cat "$STAMP")"
  if [[ "$want" == "$have" && -f "$OUT/build/classes/nationpulse/servers/MongoWireServer.class" ]] \
      && compgen -G "$OUT/lib/mongo-java-server-core-*.jar" >/dev/null; then
    return 0
  fi
  local t0; t0="$(now_ms)"
  log "building mongo-wire-server (mongo-java-server from Maven Central) into ${OUT#"$REPO_ROOT"/} …"
  rm -rf "$OUT"
  mkdir -p "$OUT"
  mvn_run -f "$SRC/pom.xml" compile dependency:copy-dependencies
  [[ -f "$OUT/build/classes/nationpulse/servers/MongoWireServer.class" ]] || die "Maven finished but the main class was not compiled"
  echo "$want" >"$STAMP"
  log "built in $(( ($(now_ms) - t0) / 1000 ))s ($(find "$OUT/lib" -name '*.jar' | wc -l) jars)"
}

# ping -> 0 when an isMaster round trip succeeds (TCP connect only without node).
ping() {
  if command -v node >/dev/null 2>&1; then
    PING_TIMEOUT_MS=3000 node "$SERVERS_DIR/lib/ping.mjs" mongo "$MONGO_HOST" "$MONGO_PORT" 2>/dev/null
  else
    port_open "$MONGO_HOST" "$MONGO_PORT"
  fi
}

do_start() {
  local t0 pid
  t0="$(now_ms)"
  pid="$(our_pid "$PIDFILE" "$MARKER")"
  if [[ -n "$pid" ]]; then
    log "already running (pid $pid); checking it answers"
    server_wait_ready "$pid" "$t0"
    return 0
  fi
  rm -f "$PIDFILE"
  if port_open "$MONGO_HOST" "$MONGO_PORT"; then
    if ping >/dev/null; then
      log "a MongoDB-compatible server not started by this script already answers on $MONGO_HOST:$MONGO_PORT; using it"
      return 0
    fi
    die "port $MONGO_HOST:$MONGO_PORT is taken by something that does not answer isMaster"
  fi

  build
  mkdir -p "$STATE"
  [[ "$MONGO_BACKEND" == h2 ]] && mkdir -p "$(dirname "$MONGO_H2_FILE")"
  # shellcheck disable=SC2086 # MONGO_HEAP_OPTS is a list of JVM flags
  pid="$(MONGO_HOST="$MONGO_HOST" MONGO_PORT="$MONGO_PORT" MONGO_BACKEND="$MONGO_BACKEND" \
    MONGO_H2_FILE="$MONGO_H2_FILE" \
    launch_bg "$LOGFILE" "$PIDFILE" "$JAVA" $MONGO_HEAP_OPTS \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dorg.slf4j.simpleLogger.showDateTime=true \
    "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSS" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=info \
    -Dorg.slf4j.simpleLogger.log.io.netty=warn \
    "$MARKER" -cp "$CP" "$MAIN")"
  log "started pid $pid, backend $MONGO_BACKEND (log: ${LOGFILE#"$REPO_ROOT"/}); waiting up to ${MONGO_START_TIMEOUT}s"
  server_wait_ready "$pid" "$t0"
}

do_reset() {
  server_stop
  rm -f "$MONGO_H2_FILE"
  log "deleted ${MONGO_H2_FILE#"$REPO_ROOT"/} (h2 backend data)"
}

case "${1:-}" in
  start) with_lock mongo do_start ;;
  stop) with_lock mongo server_stop ;;
  restart) with_lock mongo server_stop; with_lock mongo do_start ;;
  status) server_status ;;
  build) with_lock mongo build ;;
  reset) with_lock mongo do_reset ;;
  *) usage ;;
esac
