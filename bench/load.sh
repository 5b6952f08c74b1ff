#!/usr/bin/env bash
# Load run against the scoring host from a separate process on loopback (Debian's wrk; apt-get install wrk).
# Starts `leadpredict-score serve` (Release) on a free loopback port with the prediction log on, then:
#   1. single-lead requests at 100 concurrent connections: p50 / p90 / p99 latency
#   2. 1,000-lead requests: throughput in leads per second (with reasons, and with ?reasons=false)
# Bounded in time (DURATION seconds per run, default 15) and so in requests. Prints a summary at the end.
# Usage: bash bench/load.sh [--model models/lead-model.zip] [--duration 15]
# SERVE_ARGS adds flags to serve (e.g. SERVE_ARGS=--no-log to measure without the prediction log).
set -euo pipefail
cd "$(dirname "$0")/.."
model=""; duration=15
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 2; }
work=$(mktemp -d /tmp/leadpredict-load.XXXXXX)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

dotnet build src/LeadPredict.Scoring -c Release -v q -nologo >/dev/null
if [ -z "$model" ]; then
  dotnet build src/LeadPredict.Training -c Release -v q -nologo >/dev/null
  model=$work/lead-model.zip
  dotnet src/LeadPredict.Training/bin/Release/net10.0/leadpredict-train.dll train -d data/leads-history.csv -c data/leadpredict.json \
    -m "$model" --folds 0 --force >/dev/null
fi
python3 bench/make-bodies.py data/leads-new.csv "$work" 1000
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
# The host's shipped logging defaults (warnings and a summary a minute) apply, as they do for users.
dotnet src/LeadPredict.Scoring/bin/Release/net10.0/leadpredict-score.dll serve ${SERVE_ARGS:-} \
  --model "$model" --urls "$url" --log-db "$work/predictions.db" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -sf "$url/health/ready" >/dev/null && break; sleep 0.2; done
curl -sf "$url/health/ready" >/dev/null || { echo "the host did not become ready:" >&2; cat "$work/server.log" >&2; exit 1; }

echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "== warm-up"
BODY=$work/single.json wrk -t2 -c100 -d5s -s bench/post.lua "$url/api/v1/score" >/dev/null
BODY=$work/batch.json wrk -t1 -c2 -d5s -s bench/post.lua "$url/api/v1/score" >/dev/null

echo "== single lead, 100 concurrent connections, ${duration}s"
BODY=$work/single.json wrk -t2 -c100 -d"${duration}s" -s bench/post.lua "$url/api/v1/score" | tee "$work/single.txt"
echo "== 1,000-lead batches, 2 connections, ${duration}s (with reasons)"
BODY=$work/batch.json wrk -t1 -c2 -d"${duration}s" -s bench/post.lua "$url/api/v1/score" | tee "$work/batch.txt"
echo "== 1,000-lead batches, 2 connections, ${duration}s (?reasons=false)"
BODY=$work/batch.json wrk -t1 -c2 -d"${duration}s" -s bench/post.lua "$url/api/v1/score?reasons=false" | tee "$work/batch-noreasons.txt"

health=$(curl -s "$url/health/ready")
get() { grep "$1" "$2" | head -1 | sed -E 's/.*: ([0-9.]+).*/\1/'; }
echo
echo "== summary (load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
echo "single lead @100 concurrent: p50 $(get 'latency p50' "$work/single.txt") ms, p99 $(get 'latency p99' "$work/single.txt") ms, $(get 'requests/s' "$work/single.txt") req/s, failed $(get 'non-2xx' "$work/single.txt")"
awk -v r="$(get 'requests/s' "$work/batch.txt")" 'BEGIN { printf "1,000-lead batches, with reasons: %.0f leads/s\n", r * 1000 }'
awk -v r="$(get 'requests/s' "$work/batch-noreasons.txt")" 'BEGIN { printf "1,000-lead batches, no reasons:   %.0f leads/s\n", r * 1000 }'
echo "prediction log: $(echo "$health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["predictionLog"])')"
echo "host log: $(wc -l < "$work/server.log") lines, $(wc -c < "$work/server.log") bytes; last summary: $(grep 'Last [0-9]* s:' "$work/server.log" | tail -1 | sed 's/.*\] //')"
