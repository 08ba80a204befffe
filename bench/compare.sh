#!/usr/bin/env bash
# Shoal side by side with Mosquitto, HiveMQ CE and Moquette, one after the other on loopback ports.
# Installs Debian's mosquitto when missing, builds what is not built, then runs
# `shoal-bench compare` with the given options (see bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v mosquitto >/dev/null && [ ! -x /usr/sbin/mosquitto ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq mosquitto
fi

for jar in deploy/target/shoal.jar bench/target/shoal-bench.jar \
           bench/peers/hivemq/target/peer-hivemq.jar bench/peers/moquette/target/peer-moquette.jar; do
  if [ ! -f "$jar" ]; then
    mvn -q -B -DskipTests package
    break
  fi
done

exec java -jar bench/target/shoal-bench.jar compare --mosquitto "$(command -v mosquitto || echo /usr/sbin/mosquitto)" "$@"
