#!/usr/bin/env bash
# Runs the relay store-and-forward benchmark (issue 4) and writes bench/results/relay.md: 100,000 messages of 1 KiB sent
# to an offline edge node through a relay, then drained when the edge node connects. Three node processes of the
# distribution (sender, relay, edge) on 127.0.0.1; reports the store rate, the drain rate, and the relay's heap and disk.
#
# Usage, from anywhere, after `mvn -DskipTests install` at the repository root (the distribution and the probe bundle):
#   bench/run-relay.sh                                   # 100,000 x 1 KiB, fsync, a cold and a warm round, ~2 minutes
#   bench/run-relay.sh --count 20000 --durability WRITE  # other options: --size B, --relay-heap -Xmx512m,
#                                                        # --scheme tls (how E reaches R; default quic), --keep,
#                                                        # --compare-opts '<JVM options>' (a second configuration)
# BENCH_RESULTS=/tmp/x bench/run-relay.sh ...             writes /tmp/x.md instead.
set -euo pipefail
cd "$(dirname "$0")/.."
results="${BENCH_RESULTS:-bench/results/relay}"
if [ ! -f launcher/target/hypha/etc/startup.list ]; then
  echo "no distribution in launcher/target/hypha: run mvn -DskipTests install at the repository root first" >&2
  exit 2
fi
probe=$(ls multinode/target/hypha-multinode-*.jar 2>/dev/null | grep -v -e sources -e tests | head -1 || true)
if [ -z "$probe" ]; then
  echo "no probe bundle: run mvn -q -f multinode/pom.xml package -DskipTests first" >&2
  exit 2
fi
java="java"
if [ -n "${JAVA_HOME:-}" ]; then
  java="$JAVA_HOME/bin/java"
fi
mkdir -p "$(dirname "$results")"
# A single-file program (JDK only): no build step, and nothing shared with the other benchmarks' build.
exec "$java" bench/src/main/java/io/hypha/bench/relay/RelayBench.java --script ./hypha --probe "$probe" --out "$results.md" "$@"
