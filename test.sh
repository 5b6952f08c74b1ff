#!/usr/bin/env bash
# Runs every test. Installs the browser and database the tests need first (scripts/install-test-deps.sh).
set -uo pipefail
cd "$(dirname "$0")"
bash scripts/install-test-deps.sh
log=$(mktemp)
dotnet test LeadPredict.sln -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# One closing line for CI: "N passed, N failed, N skipped", summed over the test projects.
awk '/^ *Passed: +[0-9]+ *$/ { p += $2 } /^ *Failed: +[0-9]+ *$/ { f += $2 } /^ *Skipped: +[0-9]+ *$/ { s += $2 }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit $status
