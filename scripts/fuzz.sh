#!/usr/bin/env bash
# Coverage-guided fuzzing of what reads contributor input (see fuzz/README.md):
#   entry     bytes → text → front matter → YAML → entry check → diagnostics in every format
#   markdown  a description → sanitised HTML, which must never carry anything a browser would run
#
#   scripts/fuzz.sh [SECONDS]      run each target for SECONDS (default 60)
#
# Environment: FUZZ_TARGETS (default "entry markdown"), FUZZ_JOBS (fuzzing processes per target,
# libFuzzer's -fork; default 1), FUZZ_SANITIZER (default none, see fuzz/README.md),
# FUZZ_TARGET_DIR (build directory, default ~/.cache/annuaire/fuzz-target: kept between clones).
#
# Only the stable toolchain is installed; cargo-fuzz passes nightly-only flags, which
# RUSTC_BOOTSTRAP=1 lets stable accept. Installs cargo-fuzz when missing. Seeds: tests/hostile/ and
# the bundled entries; what a run learns is kept in fuzz/corpus/<target>/ (not committed). Exits
# non-zero when a target crashes, hangs or runs out of memory, with the input saved under
# fuzz/artifacts/<target>/: reproduce with `cargo fuzz run <target> <file>`, fix, and add the input
# to tests/hostile/ with its expected diagnostic.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

SECONDS_PER_TARGET="${1:-60}"
TARGETS=(${FUZZ_TARGETS:-entry markdown links_scan})
JOBS="${FUZZ_JOBS:-1}"
SANITIZER="${FUZZ_SANITIZER:-none}"
export RUSTC_BOOTSTRAP=1

started=$(date +%s)
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install --locked cargo-fuzz
fi
# The instrumented build of the dependencies takes minutes on two cores: keep it outside the
# checkout, so a fresh clone on the same machine (CI) only rebuilds annuaire and the targets.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/annuaire/fuzz-target}"
PARALLEL=()
if [ "$JOBS" -gt 1 ]; then PARALLEL=(-fork="$JOBS"); fi

# Both targets in one build: the dependencies are shared.
# --codegen-units 16: the instrumented build is the slow part on a small machine; fuzzing speed
# hardly changes.
BUILD_FLAGS=(--sanitizer "$SANITIZER" --codegen-units 16)
echo "== building fuzz targets (sanitizer: $SANITIZER)"
cargo fuzz build "${BUILD_FLAGS[@]}"
built=$(date +%s)

status=0
summary=()
for target in "${TARGETS[@]}"; do
  corpus="$ROOT/fuzz/corpus/$target"
  mkdir -p "$corpus" "$ROOT/fuzz/artifacts/$target"
  seeds=("$ROOT/tests/hostile" "$ROOT/content/prestataires" "$ROOT/content/pages"
         "$ROOT/tests/fixtures/mini/content/prestataires")
  # The page scan reads HTML: the templates are the closest thing to pages in the checkout.
  if [ "$target" = links_scan ]; then seeds=("$ROOT/themes" "$ROOT/tests/hostile"); fi
  dict=()
  if [ -f "$ROOT/fuzz/$target.dict" ]; then dict=(-dict="$ROOT/fuzz/$target.dict"); fi
  log="$ROOT/fuzz/artifacts/$target/last-run.log"
  echo "== fuzzing $target for ${SECONDS_PER_TARGET}s"
  # -timeout: one input taking 10 s is a denial of service; -rss_limit_mb: so is 1 GB.
  # -max_len: real entries are 2-5 KB, and bombs or floods need no more than a few KB to hit every
  # budget; longer inputs only make each run slower.
  case "$target" in
    markdown | links_scan) max_len=8192 ;;
    *) max_len=16384 ;;
  esac
  set +e
  cargo fuzz run "${BUILD_FLAGS[@]}" "$target" "$corpus" "${seeds[@]}" -- \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=1024 -max_len="$max_len" \
    "${PARALLEL[@]}" "${dict[@]}" -print_final_stats=1 \
    -artifact_prefix="$ROOT/fuzz/artifacts/$target/" 2>&1 | tee "$log" | grep -E \
    '^(#[0-9]+ +(INITED|DONE|pulse)|stat::|==[0-9]+== ERROR|SUMMARY|Test unit written|thread .* panicked)'
  code=${PIPESTATUS[0]}
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  summary+=("$target: ${runs:-?} runs, ${speed:-?} exec/s, exit $code")
  if [ "$code" -ne 0 ]; then
    status=1
    echo "!! $target failed (exit $code): see $log and fuzz/artifacts/$target/"
  fi
done

finished=$(date +%s)
echo "== fuzz summary (build $((built - started))s, total $((finished - started))s)"
printf '   %s\n' "${summary[@]}"
exit "$status"
