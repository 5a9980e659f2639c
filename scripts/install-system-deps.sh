#!/usr/bin/env bash
# System packages the test suite needs beyond Python: Prometheus (+ promtool) for the rule tests and
# the live scrape test, Alertmanager (+ amtool) for its config check and the live alert-routing
# test, headless Chromium + chromedriver for the status-page test, and Noto fonts so Arabic and
# Persian evidence renders as glyphs rather than boxes. Debian packages only (no browser
# downloads). Idempotent: a quick no-op when everything is present; `apt-get update` runs once and
# only when something is missing.
set -euo pipefail

# package -> a file it installs (cheaper to test than dpkg-query for each run)
declare -A want=(
  [prometheus]=/usr/bin/prometheus          # also ships /usr/bin/promtool
  [prometheus-alertmanager]=/usr/bin/amtool  # also ships /usr/bin/prometheus-alertmanager
  [chromium]=/usr/bin/chromium
  [chromium-driver]=/usr/bin/chromedriver
  [fonts-noto-core]=/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf
  [fonts-dejavu-core]=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
)
missing=()
for pkg in "${!want[@]}"; do
  [ -e "${want[$pkg]}" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-system-deps: need root to install: ${missing[*]}" >&2; exit 1
  fi
fi
echo "install-system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# --no-install-recommends keeps prometheus from pulling node-exporter & co. and chromium lean
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian packages enable prometheus and alertmanager services; nothing here needs them running (tests start their
# own on a free loopback port), and no init system runs in CI anyway.
for pkg in "${!want[@]}"; do
  [ -e "${want[$pkg]}" ] || { echo "install-system-deps: $pkg did not provide ${want[$pkg]}" >&2; exit 1; }
done
