# shellcheck shell=bash disable=SC2034  # variables used by the scripts that source this file
# Helpers of the three-node Kafka cluster scripts (kafka-cluster-up, -down, -status). Sourced after
# lib.sh. Each node is one KRaft process (broker + controller) with its own ports and data under
# $KAFKA_CLUSTER_HOME/node-<id>; all share the jars that kafka-install caches ($KAFKA_JARS).
#
#   KAFKA_CLUSTER_HOME              default $INFRA_LOCAL_DIR/kafka-cluster (git-ignored)
#   KAFKA_CLUSTER_PORTS             client ports, comma-separated (default 9192,9193,9194)
#   KAFKA_CLUSTER_CONTROLLER_PORTS  controller ports (default 9292,9293,9294)
#   KAFKA_CLUSTER_ADVERTISED        host:port clients are told per node (default the listeners)
#   KAFKA_CLUSTER_HEAP_OPTS         per node (default -Xms128m -Xmx512m)

: "${KAFKA_CLUSTER_HOME:=$INFRA_LOCAL_DIR/kafka-cluster}"
: "${KAFKA_CLUSTER_PORTS:=9192,9193,9194}"
: "${KAFKA_CLUSTER_CONTROLLER_PORTS:=9292,9293,9294}"
: "${KAFKA_CLUSTER_ADVERTISED:=}"
: "${KAFKA_CLUSTER_HEAP_OPTS:=-Xms128m -Xmx512m}"

IFS=, read -r -a CLUSTER_PORTS <<<"$KAFKA_CLUSTER_PORTS"
IFS=, read -r -a CLUSTER_CONTROLLER_PORTS <<<"$KAFKA_CLUSTER_CONTROLLER_PORTS"
CLUSTER_ADVERTISED=()
[[ -n "$KAFKA_CLUSTER_ADVERTISED" ]] && IFS=, read -r -a CLUSTER_ADVERTISED <<<"$KAFKA_CLUSTER_ADVERTISED"
CLUSTER_SIZE=${#CLUSTER_PORTS[@]}
((CLUSTER_SIZE == ${#CLUSTER_CONTROLLER_PORTS[@]})) || die "KAFKA_CLUSTER_PORTS and KAFKA_CLUSTER_CONTROLLER_PORTS must list as many ports"
((CLUSTER_SIZE >= 1)) || die "KAFKA_CLUSTER_PORTS is empty"
CLUSTER_ID_FILE="$KAFKA_CLUSTER_HOME/cluster.id"

node_home() { echo "$KAFKA_CLUSTER_HOME/node-$1"; }
node_port() { echo "${CLUSTER_PORTS[$(($1 - 1))]}"; }
node_controller_port() { echo "${CLUSTER_CONTROLLER_PORTS[$(($1 - 1))]}"; }
node_advertised() { echo "${CLUSTER_ADVERTISED[$(($1 - 1))]:-$KAFKA_HOST:$(node_port "$1")}"; }
node_config() { echo "$(node_home "$1")/server.properties"; }
node_log() { echo "$(node_home "$1")/broker.log"; }
node_pid_file() { echo "$(node_home "$1")/kafka.pid"; }
# node_ours ID: prints the pid of that node when the process these scripts started runs.
node_ours() { pidfile_alive "$(node_pid_file "$1")" "$(node_config "$1")"; }

cluster_bootstrap() {
  local id out=()
  for ((id = 1; id <= CLUSTER_SIZE; id++)); do out+=("$(node_advertised "$id")"); done
  (IFS=,; echo "${out[*]}")
}

cluster_voters() {
  local id out=()
  for ((id = 1; id <= CLUSTER_SIZE; id++)); do out+=("$id@$KAFKA_HOST:$(node_controller_port "$id")"); done
  (IFS=,; echo "${out[*]}")
}

# node_ids ARGS...: the node ids named by --node N arguments, or every node.
parse_nodes() {
  local ids=() arg
  while (($#)); do
    arg=$1
    shift
    case "$arg" in
      --node)
        [[ "${1:-}" =~ ^[0-9]+$ ]] && ((${1} >= 1 && ${1} <= CLUSTER_SIZE)) || die "--node needs a node id between 1 and $CLUSTER_SIZE"
        ids+=("$1")
        shift
        ;;
      *) REST_ARGS+=("$arg") ;;
    esac
  done
  if ((${#ids[@]} == 0)); then for ((arg = 1; arg <= CLUSTER_SIZE; arg++)); do ids+=("$arg"); done; fi
  NODES=("${ids[@]}")
}
