#!/usr/bin/env bash
# Runs the local engine runtime benchmarks (Hypha beside Apache Pekko, one JMH run) and writes
# bench/results/local.json (JMH's results) and bench/results/local.md (the table the README quotes).
#
# Usage, from anywhere, after `mvn install -DskipTests` at the repository root:
#   bench/run.sh                          # the full suite, about 4 minutes on 2 cores
#   bench/run.sh -wi 1 -i 1 -r 1s -w 1s   # a smoke run; extra arguments go to JMH
# BENCH_RESULTS=/tmp/x bench/run.sh ...   writes /tmp/x.json and /tmp/x.md instead.
set -euo pipefail
cd "$(dirname "$0")/.."
results="${BENCH_RESULTS:-bench/results/local}"
mkdir -p "$(dirname "$results")"
mvn -q -B -f bench/pom.xml package -DskipTests
# -prof gc adds the bytes allocated per message to the report; it only reads counters between iterations.
java -jar bench/target/benchmarks.jar -prof gc -rf json -rff "$results.json" "$@"
java -cp bench/target/benchmarks.jar io.hypha.bench.Report "$results.json" "$results.md"
