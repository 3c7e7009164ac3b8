#!/usr/bin/env bash
# The node-to-node benchmark: workloads W1 (one way, messages/s at the receiver) and W2 (ping-pong latency) between
# two Hypha node processes over TLS and QUIC, beside a bare Netty TLS connection and a bare kwik QUIC stream in the
# same run. Writes bench/results/network.json (every run) and bench/results/network.md (the table and the ratios).
#
# Usage, from anywhere, after `mvn install -DskipTests` at the repository root (it measures launcher/target/hypha):
#   bench/run-network.sh                  # the full run: TLS three rounds, QUIC ten; about 12 minutes on 2 cores
#   bench/run-network.sh --quick          # a smoke run (a tenth of the messages, one QUIC round; about 2 minutes),
#                                         #   written to bench/target/network-quick.{json,md}
#   bench/run-network.sh --only tls       # one transport; --tls-rounds N / --quic-rounds N change the rounds
#   bench/run-network.sh --node-java-opts '-XX:StartFlightRecording=filename=/tmp/n.jfr'   # profile the nodes
# BENCH_RESULTS=/tmp/x bench/run-network.sh ...   writes /tmp/x.json and /tmp/x.md instead.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -f bench/probe/pom.xml package -DskipTests
mvn -q -B -f bench/pom.xml package -DskipTests
args=(--root . --probe bench/probe/target/hypha-bench-probe-0.1.0-SNAPSHOT.jar --analysis bench/results/network-analysis.md)
if [ -n "${BENCH_RESULTS:-}" ]; then
  args+=(--results "$BENCH_RESULTS")
fi
exec java -cp bench/target/benchmarks.jar io.hypha.bench.network.NetworkBench "${args[@]}" "$@"
