#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit/integration/browser tests, benches built.
# Usage: scripts/test.sh            (from a clone; installs the npm test tools if missing)
# Browser and HTML-validation tests need `chromium` and a Java runtime (Debian:
# apt-get install chromium default-jre-headless); without them they say SKIPPED,
# except under CI=true where they fail.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund
fi

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --all-targets --locked
# Search, accessibility (axe-core), keyboard, no-JS, page weight and map in headless Chromium,
# on the site built by target/debug/annuaire (built above).
node --test tests/browser/
# Benches must keep compiling even when nobody runs them.
cargo bench --locked --no-run
# Bounded fuzzing, when asked (CI sets FUZZ_SECONDS=60).
if [ "${FUZZ_SECONDS:-0}" -gt 0 ] && [ -x scripts/fuzz.sh ]; then
  scripts/fuzz.sh "$FUZZ_SECONDS"
fi
