#!/usr/bin/env bash
# Fetches the full US flights data of the first half of 2001 (3M rows) for the benchmarks:
# data/flights-3m.parquet of the npm package vega-datasets@3.2.1, into data/full/.
# The repository ships data/flights-sample.parquet (2001-01-01 .. 2001-01-21, 342,425 rows),
# cut from the same file.
set -euo pipefail
cd "$(dirname "$0")/.."
out=data/full/flights-3m.parquet
if [[ -f "$out" ]]; then
  echo "$out is there"; exit 0
fi
mkdir -p data/full
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack vega-datasets@3.2.1 --silent >/dev/null && tar xzf vega-datasets-3.2.1.tgz package/data/flights-3m.parquet)
mv "$tmp/package/data/flights-3m.parquet" "$out"
echo "fetched $out ($(wc -c < "$out") bytes)"
