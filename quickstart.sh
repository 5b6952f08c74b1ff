#!/usr/bin/env bash
# Train on the bundled lead history, then rank the bundled new leads and print the top of the list.
set -euo pipefail
cd "$(dirname "$0")"
echo "Building (Release)…"
log=$(mktemp)
if ! dotnet build LeadPredict.sln -c Release -v quiet -nologo > "$log" 2>&1; then cat "$log"; rm -f "$log"; exit 1; fi
rm -f "$log"
train() { dotnet src/LeadPredict.Training/bin/Release/net10.0/leadpredict-train.dll "$@"; }
score() { dotnet src/LeadPredict.Scoring/bin/Release/net10.0/leadpredict-score.dll "$@"; }
echo; echo "== 1. Train on data/leads-history.csv =="
train train --data data/leads-history.csv --config data/leadpredict.json --icp data/rules.json --model models/lead-model.zip "$@" || [ $? -eq 3 ]
echo; echo "== 2. Rank today's leads (data/leads-new.csv) =="
score score --model models/lead-model.zip --input data/leads-new.csv --icp data/rules.json --output models/leads-ranked.csv --top 10
