#!/usr/bin/env bash
# A single-node Cassandra 5.0 on loopback, in the foreground, for trying Shoal with
# SHOAL_PERSISTENCE=cassandra and for benchmarks. No Docker needed: it runs the server on the
# classpath this module resolves (build first: mvn -q -DskipTests package at the top level).
#
#   persistence/cassandra-server/run-local.sh DATA_DIR [NATIVE_PORT]     (default port 9042)
#
# Data, commit log and logs go under DATA_DIR and survive a restart on the same directory.
# Ctrl-C or SIGTERM drains Cassandra (flushes everything) before it exits.
#
# Environment: JAVA (a JDK 17; Cassandra 5.0 does not start on 25), CASSANDRA_HEAP (default 1g),
# CASSANDRA_STORAGE_PORT (inter-node port, loopback only; default 7000).
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi

here="$(cd "$(dirname "$0")" && pwd)"
classpath_file="$here/target/cassandra.classpath"
# The test fixture's cassandra.yaml and logback.xml, so a local node and the tests' nodes run alike.
templates="$here/../src/test/resources/io/shoal/persistence/testkit"
native_port="${2:-9042}"
storage_port="${CASSANDRA_STORAGE_PORT:-7000}"
heap="${CASSANDRA_HEAP:-1g}"
java="${JAVA:-java}"

if [[ ! -f "$classpath_file" ]]; then
  echo "$classpath_file is missing: run 'mvn -q -DskipTests package' at the top level first" >&2
  exit 1
fi
if ! "$java" -version 2>&1 | grep -q 'version "17\.'; then
  echo "Cassandra 5.0 needs a JDK 17; set JAVA (for example JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java)" >&2
  exit 1
fi

mkdir -p "$1"
dir="$(cd "$1" && pwd)"
mkdir -p "$dir/logs" "$dir/triggers"
sed -e "s|\${dir}|$dir|g" -e "s|\${storagePort}|$storage_port|g" -e "s|\${nativePort}|$native_port|g" \
    -e "s|^cluster_name: .*|cluster_name: shoal-local|" \
    "$templates/cassandra.yaml" > "$dir/cassandra.yaml"
cp "$templates/logback.xml" "$dir/logback.xml"

echo "Cassandra on 127.0.0.1:$native_port, data in $dir, heap $heap" >&2
# Unlike the tests' fixture: no -Dcassandra.unsafesystem, so the schema survives a crash too.
exec "$java" -Xms"$heap" -Xmx"$heap" -Xss256k -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED \
  --add-opens=java.base/java.io=ALL-UNNAMED \
  -Dcassandra-foreground=true \
  -Dcassandra.config="file://$dir/cassandra.yaml" \
  -Dcassandra.logdir="$dir/logs" \
  -Dcassandra.triggers_dir="$dir/triggers" \
  -Dlogback.configurationFile="$dir/logback.xml" \
  -Dcassandra.skip_wait_for_gossip_to_settle=0 \
  -Dcassandra.ring_delay_ms=0 \
  -cp "$(cat "$classpath_file")" \
  org.apache.cassandra.service.CassandraDaemon
