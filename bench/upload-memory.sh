#!/usr/bin/env bash
# Memory of the scoring host under big CSV uploads, from a separate process on loopback (Linux: reads /proc).
# Starts `leadpredict-score serve` (Release) with the prediction log on, writes a synthetic new-lead file of ROWS leads
# (450,000 rows is about 58 MB), then:
#   1. one upload: the host's peak RSS during it, and its RSS 15 s after
#   2. CONCURRENT uploads at once: the peak, each answer's status (200, or 429 when over the limit), and the RSS 15 s after
# The peak is the kernel's high-water mark (VmHWM), reset before each phase (needs permission to write /proc/PID/clear_refs).
# Usage: bash bench/upload-memory.sh [--model M] [--rows 450000] [--concurrent 6] [--server path/to/leadpredict-score.dll]
# SERVE_ARGS adds flags to serve (e.g. SERVE_ARGS=--no-log).
set -euo pipefail
cd "$(dirname "$0")/.."
model=""; rows=450000; concurrent=6; server=""
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --rows) rows=$2; shift 2 ;;
    --concurrent) concurrent=$2; shift 2 ;;
    --server) server=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d /tmp/leadpredict-upload.XXXXXX)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

if [ -z "$server" ]; then
  dotnet build src/LeadPredict.Scoring -c Release -v q -nologo >/dev/null
  server=src/LeadPredict.Scoring/bin/Release/net10.0/leadpredict-score.dll
fi
dotnet build src/LeadPredict.Training -c Release -v q -nologo >/dev/null
train=src/LeadPredict.Training/bin/Release/net10.0/leadpredict-train.dll
if [ -z "$model" ]; then
  model=$work/lead-model.zip
  dotnet $train train -d data/leads-history.csv -c data/leadpredict.json -m "$model" --folds 0 --force >/dev/null
fi
dotnet $train generate --rows "$rows" --new --output "$work/upload.csv" >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
dotnet "$server" serve ${SERVE_ARGS:-} --model "$model" --urls "$url" --log-db "$work/predictions.db" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -sf "$url/health/ready" >/dev/null && break; sleep 0.2; done
curl -sf "$url/health/ready" >/dev/null || { echo "the host did not become ready:" >&2; cat "$work/server.log" >&2; exit 1; }
# The dotnet host execs the app in the same process: server_pid is the host.
mb() { awk -v k="$1" '$1 == k":" { printf "%.0f", $2 / 1024 }' "/proc/$server_pid/status"; }
reset_peak() { echo 5 > "/proc/$server_pid/clear_refs"; }
upload() { curl -s -o /dev/null -w '%{http_code} %{time_total}s\n' --data-binary @"$work/upload.csv" -H 'Content-Type: text/csv' "$url/api/v1/score/csv"; }

size=$(du -m "$work/upload.csv" | cut -f1)
echo "== upload: $rows leads, $size MB; host RSS at rest $(mb VmRSS) MB; load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
reset_peak
echo "== 1 upload: $(upload)"
one_peak=$(mb VmHWM)
sleep 15
one_after=$(mb VmRSS)
reset_peak
echo "== $concurrent uploads at once:"
for _ in $(seq 1 "$concurrent"); do upload > "$work/status.$_" & done
wait $(jobs -p | grep -v "^$server_pid$") 2>/dev/null || true
sort "$work"/status.* | sed 's/^/   /'
many_peak=$(mb VmHWM)
sleep 15
many_after=$(mb VmRSS)
echo
echo "== summary"
echo "1 upload:              peak RSS $one_peak MB, 15 s after $one_after MB"
echo "$concurrent uploads at once:     peak RSS $many_peak MB, 15 s after $many_after MB; answers: $(cut -d' ' -f1 "$work"/status.* | sort | uniq -c | awk '{printf "%s×%s ", $1, $2}')"
