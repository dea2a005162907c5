# shellcheck shell=bash disable=SC2034  # variables used by the scripts that source this file
# Shared helpers of the infra/bin scripts. Sourced, never executed:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Everything these scripts start keeps its state under $ROOT/.local (git-ignored), except the
# Kafka jars, which are cached outside the repository ($KAFKA_JARS) so that fresh clones (CI)
# on the same machine do not resolve them again.
set -euo pipefail

INFRA_BIN="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
INFRA_DIR="$(dirname "$INFRA_BIN")"
ROOT="$(dirname "$INFRA_DIR")"
SCRIPT_NAME="$(basename "${0:-infra}")"

# --- defaults (every one can be overridden from the environment) ---------------------------------
: "${INFRA_LOCAL_DIR:=$ROOT/.local}"

: "${KAFKA_HOST:=127.0.0.1}"
: "${KAFKA_PORT:=9092}"
: "${KAFKA_CONTROLLER_PORT:=9093}"
: "${KAFKA_HOME:=$INFRA_LOCAL_DIR/kafka}"
: "${KAFKA_HEAP_OPTS:=-Xms256m -Xmx1g}"
: "${KAFKA_START_TIMEOUT:=60}"
: "${KAFKA_STOP_TIMEOUT:=30}"

: "${PGHOST:=127.0.0.1}"
: "${PGPORT:=5432}"
: "${PGSUPERUSER:=postgres}"
: "${POSTGRES_HOME:=$INFRA_LOCAL_DIR/postgres}"

: "${REDIS_HOST:=127.0.0.1}"
: "${REDIS_PORT:=6379}"
: "${REDIS_HOME:=$INFRA_LOCAL_DIR/redis}"

export INFRA_LOCAL_DIR KAFKA_HOST KAFKA_PORT KAFKA_CONTROLLER_PORT KAFKA_HOME KAFKA_HEAP_OPTS
export PGHOST PGPORT PGSUPERUSER POSTGRES_HOME REDIS_HOST REDIS_PORT REDIS_HOME

# Kafka version: the one the pom resolves (single source of truth).
KAFKA_POM="$INFRA_DIR/kafka/pom.xml"
KAFKA_VERSION="$(sed -n 's:.*<kafka\.version>\(.*\)</kafka\.version>.*:\1:p' "$KAFKA_POM" | head -n 1)"
[[ -n "$KAFKA_VERSION" ]] || { echo "[$SCRIPT_NAME] cannot read <kafka.version> from $KAFKA_POM" >&2; exit 1; }
: "${KAFKA_JARS:=${XDG_CACHE_HOME:-$HOME/.cache}/consultation/kafka-$KAFKA_VERSION/libs}"
export KAFKA_VERSION KAFKA_JARS

KAFKA_JAR_MARKER="$KAFKA_JARS/.resolved"          # written after a complete Maven resolution
KAFKA_MAIN_JAR="$KAFKA_JARS/kafka_2.13-$KAFKA_VERSION.jar"
KAFKA_DATA="$KAFKA_HOME/data"
KAFKA_CONFIG="$KAFKA_HOME/server.properties"
KAFKA_PID_FILE="$KAFKA_HOME/kafka.pid"
KAFKA_LOG="$KAFKA_HOME/broker.log"
KAFKA_LOG4J="$INFRA_DIR/kafka/log4j2.yaml"

PG_DATA="$POSTGRES_HOME/data"
PG_LOG="$POSTGRES_HOME/postgres.log"
PG_INIT_SQL="$INFRA_DIR/postgres/init.sql"

REDIS_PID_FILE="$REDIS_HOME/redis.pid"
REDIS_LOG="$REDIS_HOME/redis.log"

# --- output ----------------------------------------------------------------------------------------
log() { printf '[%s] %s\n' "$SCRIPT_NAME" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "$SCRIPT_NAME" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$SCRIPT_NAME" "$*" >&2; exit 1; }

now_ms() { date +%s%3N; }
# elapsed START_MS -> "1.2s"
elapsed() { local d=$(( $(now_ms) - $1 )); printf '%d.%ds' $((d / 1000)) $(((d % 1000) / 100)); }

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH${2:+ ($2)}"; }

# --- ports -------------------------------------------------------------------------------------------
# port_open HOST PORT: true when something accepts TCP connections there.
# shellcheck disable=SC2016 # $1/$2 expand in the inner shell
port_open() { timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; }

# wait_for_port HOST PORT TIMEOUT_S: wait until the port answers; false after TIMEOUT_S seconds.
wait_for_port() {
  local host=$1 port=$2 deadline=$((SECONDS + ${3:-30}))
  until port_open "$host" "$port"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# wait_for_port_closed HOST PORT TIMEOUT_S
wait_for_port_closed() {
  local deadline=$((SECONDS + ${3:-30}))
  while port_open "$1" "$2"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# --- pid files ---------------------------------------------------------------------------------------
# read_pid FILE: prints the pid stored in FILE (empty when absent or malformed).
read_pid() { if [[ -f "$1" ]]; then sed -n '1{/^[0-9][0-9]*$/p}' "$1"; fi; }

# pid_alive PID [PATTERN]: the process exists (and its command line contains PATTERN, which guards
# against a recycled pid).
# A zombie (exited, not yet reaped by its parent) counts as dead.
pid_alive() {
  local pid=$1 pattern=${2:-} stat
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != Z ]] || return 1
  [[ -z "$pattern" ]] && return 0
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

# pidfile_alive FILE [PATTERN]: prints the pid and succeeds when the pid in FILE is alive.
pidfile_alive() {
  local pid
  pid="$(read_pid "$1")"
  pid_alive "$pid" "${2:-}" || return 1
  echo "$pid"
}

# stop_pid PID NAME TIMEOUT_S: SIGTERM, wait up to TIMEOUT_S, then SIGKILL.
stop_pid() {
  local pid=$1 name=$2 timeout_s=${3:-30} deadline
  kill -TERM "$pid" 2>/dev/null || return 0
  deadline=$((SECONDS + timeout_s))
  while pid_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      warn "$name (pid $pid) still running after ${timeout_s}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  while pid_alive "$pid"; do sleep 0.1; done
}

# --- component predicates ------------------------------------------------------------------------
# Each prints the pid of the process these scripts started (when it runs) and succeeds.
kafka_ours() { pidfile_alive "$KAFKA_PID_FILE" "$KAFKA_CONFIG"; }
kafka_jars_complete() { [[ -f "$KAFKA_JAR_MARKER" && -f "$KAFKA_MAIN_JAR" ]]; }

# postgres_ours: the cluster in $PG_DATA runs and listens on $PGPORT.
postgres_ours() {
  local pid port
  [[ -f "$PG_DATA/postmaster.pid" ]] || return 1
  pid="$(sed -n 1p "$PG_DATA/postmaster.pid")"
  port="$(sed -n 4p "$PG_DATA/postmaster.pid")"
  pid_alive "$pid" || return 1
  [[ "$port" == "$PGPORT" ]] || return 1
  echo "$pid"
}
postgres_running_here() { # our cluster runs, whatever its port (prints pid and port)
  local pid
  [[ -f "$PG_DATA/postmaster.pid" ]] || return 1
  pid="$(sed -n 1p "$PG_DATA/postmaster.pid")"
  pid_alive "$pid" || return 1
  echo "$pid $(sed -n 4p "$PG_DATA/postmaster.pid")"
}
pg_answers() { pg_isready -q -h "$PGHOST" -p "$PGPORT" -t 2; }

redis_ours() { pidfile_alive "$REDIS_PID_FILE" redis-server; }
redis_answers() { [[ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }

# Newest PostgreSQL server binaries of the Debian packages (or $PG_BIN).
pg_bin_dir() {
  if [[ -n "${PG_BIN:-}" ]]; then echo "$PG_BIN"; return; fi
  local dir
  dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$dir" && -x "$dir/initdb" ]] || die "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql, or set PG_BIN)"
  echo "$dir"
}

# as_pg_user CMD...: PostgreSQL refuses to run as root; run as the 'postgres' OS user then.
as_pg_user() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u "${PG_OS_USER:-postgres}" -- "$@"
  else
    "$@"
  fi
}
