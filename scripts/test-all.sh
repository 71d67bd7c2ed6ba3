#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine and runs the whole suite:
# Debian packages (as root), npm dependencies from the lock file, the linter and type checks,
# then every test (unit, integration against real brokers and ports, Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's Chromium for the browser tests (never a downloaded browser), a CJK font so Chinese
# renders, socat for pseudo-terminal serial ports, Mosquitto as a real external broker, OpenSSL
# to make the webhook test's certificate, systemd's systemd-analyze to verify the service unit,
# PostgreSQL for the district (each test starts a cluster of its own with initdb).
APT_PACKAGES=(chromium fonts-noto-cjk fontconfig socat mosquitto openssl systemd postgresql)
missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-all: missing Debian packages: ${missing[*]}; run this as root (or install them) first" >&2
    exit 1
  fi
  echo "test-all: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
npm run check
npm run build --silent
# Vitest's own summary, plus one plain "N passed, N failed" line that any CI can read.
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
node -e 'const r = require("./test-results/vitest.json"); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)'
