#!/usr/bin/env bash
# Runs a benchmark and writes its report under benchmarks/results/.
#   benchmarks/run.sh point-in-time [--data PATH] [--reference-rows N] [--growth N]
#   benchmarks/run.sh online [--entities N] [--seconds S]
#   benchmarks/run.sh training [--data PATH] [--rounds N]
#   benchmarks/run.sh backfill [--sample PATH] [--data PATH] [--formats delta,iceberg,hudi]
#   benchmarks/run.sh statistics [--data PATH] [--rounds N]
#   benchmarks/run.sh feature-log [--entities N] [--seconds S] [--rounds R]
#   benchmarks/run.sh streaming [--events N] [--keys K] [--batch N] [--freshness-seconds S]
# The flights data (3M rows) comes from scripts/fetch-flights.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
which="${1:?which benchmark: point-in-time, online, training, backfill, statistics, feature-log or streaming}"; shift
if [[ "$which" == point-in-time || "$which" == backfill || "$which" == statistics ]]; then
  [[ -f data/full/flights-3m.parquet ]] || scripts/fetch-flights.sh
fi
mvn -q -B -ntp install -DskipTests -pl benchmarks,online-store/server,kafka-broker -am
cp="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
export SPARK_LOCAL_IP=127.0.0.1
case "$which" in
  point-in-time) main=dev.strata.benchmarks.PointInTimeBenchmark ;;
  online) main=dev.strata.benchmarks.OnlineBenchmark ;;
  training) main=dev.strata.benchmarks.TrainingBenchmark ;;
  backfill) main=dev.strata.benchmarks.BackfillBenchmark ;;
  statistics) main=dev.strata.benchmarks.StatisticsBenchmark ;;
  feature-log) main=dev.strata.benchmarks.FeatureLogBenchmark ;;
  streaming) main=dev.strata.benchmarks.StreamingBenchmark ;;
  *) echo "unknown benchmark $which" >&2; exit 2 ;;
esac
# shellcheck disable=SC2046
exec java -Xmx12g $(cat spark-jobs/target/classes/strata-jvm.options | sed 's/-Xmx[^ ]*//') \
  -cp "$cp" "$main" "$@"
