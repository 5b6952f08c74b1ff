#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK: Debian's Chromium and ChromeDriver (page tests),
# PostgreSQL (prediction-log tests), and python3-sklearn/xgboost (optional peer comparison in the bench command).
# Safe to run repeatedly; does nothing for packages already present. Needs root (or sudo) and Debian's package registry.
set -uo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
[ -x /usr/bin/time ] || need+=(time)
[ -x /usr/lib/postgresql/15/bin/postgres ] || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
  echo "installing test dependencies: ${need[*]}"
  $SUDO apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
    || echo "warning: could not install ${need[*]}; tests that need them will be skipped with a message"
fi
