#!/usr/bin/env bash
# A Shoal cluster of NODES nodes (default 3) on loopback, on one Cassandra that is already running
# (persistence/cassandra-server/run-local.sh starts one), for the cluster benchmarks. Build first:
# mvn -q -DskipTests package at the top level.
#
#   bench/cluster-local.sh start DIR [CONTACT_POINT]     (default contact point 127.0.0.1:9042)
#   bench/cluster-local.sh stop DIR
#
# start runs the nodes in the background, writes node<i>.pid and node<i>.log into DIR and returns
# once every node is ready (GET /health/ready) and sees all NODES Up (GET /health/cluster); it gives
# up after 180 s. stop sends SIGTERM to the PIDs in DIR, waits up to 60 s, and only then SIGKILLs.
# Node i listens on MQTT port MQTT_BASE+i, health port HEALTH_BASE+i and cluster port
# CLUSTER_BASE+i (defaults 1880, 8550 and 25520: node 1 is 1881, 8551, 25521).
#
# Environment: NODES, MQTT_BASE, HEALTH_BASE, CLUSTER_BASE, JAVA_OPTS (default -Xms1g -Xmx1g), and
# any SHOAL_* setting, passed on to every node (e.g. SHOAL_CASSANDRA_KEYSPACE).
set -euo pipefail

usage() {
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

[[ $# -ge 2 ]] || usage
command="$1"
dir="$2"
nodes="${NODES:-3}"
mqtt_base="${MQTT_BASE:-1880}"
health_base="${HEALTH_BASE:-8550}"
cluster_base="${CLUSTER_BASE:-25520}"
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/../deploy/target/shoal.jar"

# http_get URL: the body, or nothing when the node does not answer 200.
http_get() {
  curl -fsS --max-time 2 "$1" 2>/dev/null || true
}

start() {
  local contact_point="${1:-127.0.0.1:9042}"
  [[ -f "$jar" ]] || { echo "$jar is missing: run 'mvn -q -DskipTests package' at the top level first" >&2; exit 1; }
  mkdir -p "$dir"
  local seeds="" i
  for ((i = 1; i <= nodes; i++)); do
    seeds+="${seeds:+,}127.0.0.1:$((cluster_base + i))"
  done
  for ((i = 1; i <= nodes; i++)); do
    if [[ -f "$dir/node$i.pid" ]] && kill -0 "$(cat "$dir/node$i.pid")" 2>/dev/null; then
      echo "node $i already runs (PID $(cat "$dir/node$i.pid"))" >&2
      exit 1
    fi
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
    SHOAL_PERSISTENCE=cassandra SHOAL_CASSANDRA_CONTACT_POINTS="$contact_point" \
      SHOAL_MQTT_HOST=127.0.0.1 SHOAL_MQTT_PORT=$((mqtt_base + i)) SHOAL_HEALTH_PORT=$((health_base + i)) \
      SHOAL_CLUSTER_HOST=127.0.0.1 SHOAL_CLUSTER_PORT=$((cluster_base + i)) SHOAL_CLUSTER_SEED_NODES="$seeds" \
      nohup java ${JAVA_OPTS:--Xms1g -Xmx1g} -jar "$jar" > "$dir/node$i.log" 2>&1 &
    echo $! > "$dir/node$i.pid"
    echo "node $i: PID $!, MQTT 127.0.0.1:$((mqtt_base + i)), log $dir/node$i.log" >&2
  done
  local deadline=$((SECONDS + 180))
  for ((i = 1; i <= nodes; i++)); do
    local health="http://127.0.0.1:$((health_base + i))/health"
    until [[ "$(http_get "$health/cluster")" == "{\"up\":$nodes,\"unreachable\":0}" ]] \
        && curl -fsS --max-time 2 -o /dev/null "$health/ready" 2>/dev/null; do
      if ! kill -0 "$(cat "$dir/node$i.pid")" 2>/dev/null; then
        echo "node $i exited; see $dir/node$i.log" >&2
        exit 1
      fi
      if ((SECONDS > deadline)); then
        echo "node $i is not ready with $nodes members Up after 180 s; see $dir/node$i.log" >&2
        exit 1
      fi
      sleep 0.5
    done
  done
  echo "$nodes nodes ready" >&2
}

stop() {
  local pid_file pids=()
  for pid_file in "$dir"/node*.pid; do
    [[ -f "$pid_file" ]] || continue
    local pid
    pid="$(cat "$pid_file")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      pids+=("$pid")
    fi
    rm -f "$pid_file"
  done
  local deadline=$((SECONDS + 60)) pid
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "PID $pid did not stop after SIGTERM; killing it" >&2
      kill -KILL "$pid"
    fi
  done
  echo "stopped ${#pids[@]} nodes" >&2
}

case "$command" in
  start) shift 2; start "$@" ;;
  stop) stop ;;
  *) usage ;;
esac
