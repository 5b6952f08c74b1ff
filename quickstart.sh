#!/usr/bin/env bash
# Train on the bundled CRM history (leads, activity log, outcomes, stage history), then rank the leads still open on the
# export date and print the top of the list. `./quickstart.sh --flat` does the same with the single-file sample.
set -euo pipefail
cd "$(dirname "$0")"
flat=0
if [ "${1:-}" = "--flat" ]; then flat=1; shift; fi
echo "Building (Release)…"
log=$(mktemp)
if ! dotnet build LeadPredict.sln -c Release -v quiet -nologo > "$log" 2>&1; then cat "$log"; rm -f "$log"; exit 1; fi
rm -f "$log"
train() { dotnet src/LeadPredict.Training/bin/Release/net10.0/leadpredict-train.dll "$@"; }
score() { dotnet src/LeadPredict.Scoring/bin/Release/net10.0/leadpredict-score.dll "$@"; }
if [ "$flat" = 1 ]; then
  echo; echo "== 1. Train on data/leads-history.csv =="
  train train --data data/leads-history.csv --config data/leadpredict.json --icp data/rules.json --model models/lead-model.zip "$@" || [ $? -eq 3 ]
  echo; echo "== 2. Rank today's leads (data/leads-new.csv) =="
  score score --model models/lead-model.zip --input data/leads-new.csv --icp data/rules.json --output models/leads-ranked.csv --top 10
  exit 0
fi
echo; echo "== 1. Train on the CRM history in data/crm (point in time: converts within 90 days) =="
train train --data data/crm/leads.csv --config data/crm/leadpredict.json --icp data/crm/rules.json --model models/crm-model.zip "$@" || [ $? -eq 3 ]
echo; echo "== 2. Rank the leads open on the export date (2026-07-01) =="
score score --model models/crm-model.zip --input data/crm/leads.csv --config data/crm/leadpredict.json --icp data/crm/rules.json --output models/crm-ranked.csv --top 10
