#!/usr/bin/env bash
# Whole-process benchmarks of the release binary on generated directories.
#
#   scripts/bench.sh [N…]        default: 1000 10000
#   scripts/bench.sh --criterion  medians of the last `cargo bench --bench pipeline` run
#
# For each N: generates the site once (examples/gen.rs) into /dev/shm/annuaire-bench/N (RAM disk;
# else target/bench-sites/N), then runs `annuaire build --timings` and `annuaire check` RUNS times
# each (default 5; hyperfine when installed, else a loop), under /usr/bin/time for CPU time and
# peak RSS. Prints Markdown tables of medians, the stage timings of the build, and the save→page
# latency of `annuaire serve` (examples/serve_latency.rs, SERVE_EDITS edits, default 10) for the
# bundled content and each N. Everything is built for 2025-11-28 (SOURCE_DATE_EPOCH), the day the
# generated dates are valid for.
#
# Environment: RUNS, SERVE_EDITS, BENCH_DIR (where sites go), NO_SERVE=1 (skip serve latency),
# BIN_DIR (prebuilt annuaire, gen and serve_latency instead of `cargo build --release`).
set -euo pipefail
cd "$(dirname "$0")/.."

# GNU time also writes "Command exited with non-zero status N" to its log: keep the numbers only.
timelog() { grep -E '^[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+$' "$1"; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }
human() { awk -v b="$1" 'BEGIN { if (b>=1073741824) printf "%.2f GiB", b/1073741824; else if (b>=1048576) printf "%.1f MiB", b/1048576; else printf "%.1f KiB", b/1024 }'; }

if [ "${1:-}" = "--criterion" ]; then
  # target/criterion/<group>/<bench>/new/estimates.json → median point estimate.
  echo "| group | bench | median | per element/byte |"
  echo "|---|---|---:|---:|"
  find target/criterion -path '*/new/estimates.json' | sort | while read -r f; do
    d=${f%/new/estimates.json}
    bench=${d##*/}
    group=${d%/*}
    group=${group#target/criterion}
    group=${group#/}
    ns=$(tr -d '\n ' <"$f" | sed -E 's/.*"median":\{"confidence_interval":\{[^}]*\},"point_estimate":([0-9.eE+-]+).*/\1/')
    per=""
    bm="$d/new/benchmark.json"
    if [ -f "$bm" ] && grep -q '"throughput":{' "$bm"; then
      kind=$(tr -d '\n ' <"$bm" | sed -E 's/.*"throughput":\{"([A-Za-z]+)":([0-9]+)\}.*/\1 \2/')
      set -- $kind
      case "$1" in
        Elements) per=$(awk -v t="$ns" -v n="$2" 'BEGIN{printf "%.1f µs/elem", t/n/1000}') ;;
        Bytes) per=$(awk -v t="$ns" -v n="$2" 'BEGIN{printf "%.0f MB/s", n/(t/1e9)/1e6}') ;;
      esac
    fi
    pretty=$(awk -v t="$ns" 'BEGIN{ if (t>=1e9) printf "%.3f s", t/1e9; else if (t>=1e6) printf "%.2f ms", t/1e6; else printf "%.1f µs", t/1e3 }')
    echo "| $group | $bench | $pretty | $per |"
  done
  exit 0
fi

SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000)
RUNS=${RUNS:-5}
SERVE_EDITS=${SERVE_EDITS:-10}
if [ -n "${BENCH_DIR:-}" ]; then
  BASE=$BENCH_DIR
elif [ -d /dev/shm ] && [ -w /dev/shm ]; then
  BASE=/dev/shm/annuaire-bench
else
  BASE=$PWD/target/bench-sites
fi
export SOURCE_DATE_EPOCH=1764288000
if [ ! -x /usr/bin/time ]; then
  echo "/usr/bin/time is missing (Debian: apt-get install time)" >&2
  exit 2
fi
HYPERFINE=$(command -v hyperfine || true)

if [ -n "${BIN_DIR:-}" ]; then
  # Prebuilt binaries (annuaire, gen, serve_latency), e.g. a copy that others' edits cannot change.
  BIN_DIR=$(cd "$BIN_DIR" && pwd)
else
  cargo build --release --locked --bin annuaire --example gen --example serve_latency >&2
  BIN_DIR=$PWD/target/release
fi
BIN=$BIN_DIR/annuaire
GEN=$BIN_DIR/gen
[ -x "$GEN" ] || GEN=$BIN_DIR/examples/gen
LATENCY=$BIN_DIR/serve_latency
[ -x "$LATENCY" ] || LATENCY=$BIN_DIR/examples/serve_latency
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$BASE"

echo "# annuaire benchmarks — $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), runs=$RUNS${HYPERFINE:+, hyperfine}"
echo

# Runs "$@" RUNS times; appends "%e %U %S %M" per run to $log and prints the wall median (s).
measure() {
  local log=$1 errlog=$2
  shift 2
  : >"$log"
  : >"$errlog"
  rm -f "$log.wall"
  # One unmeasured run: warm caches, and every measured build replaces an existing output.
  "$@" >/dev/null 2>&1 || true
  local cmd
  cmd=$(printf '%q ' /usr/bin/time -f '%e %U %S %M' -a -o "$log" "$@")
  if [ -n "$HYPERFINE" ]; then
    hyperfine --runs "$RUNS" --ignore-failure --style none --export-json "$log.json" \
      "$cmd >/dev/null 2>>$(printf '%q' "$errlog")" >/dev/null
    tr -d '\n ' <"$log.json" | sed -E 's/.*"median":([0-9.eE+-]+).*/\1/'
  else
    local i
    for ((i = 0; i < RUNS; i++)); do
      local t0 t1
      t0=$(date +%s%N)
      eval "$cmd" >/dev/null 2>>"$errlog" || true
      t1=$(date +%s%N)
      echo "$(((t1 - t0) / 1000))" >>"$log.wall"
    done
    awk '{print $1/1e6}' "$log.wall" | median
  fi
}

ROWS=()
STAGES=()
SERVE=()
for N in "${SIZES[@]}"; do
  DIR=$BASE/$N
  # Generated once; again when asked for another N or by a newer generator.
  if [ "$(cat "$DIR/.annuaire-gen" 2>/dev/null)" != "$N" ] || [ "$GEN" -nt "$DIR/.annuaire-gen" ]; then
    rm -rf "$DIR/public"
    "$GEN" "$N" "$DIR" >&2
  fi
  gen_size=$(du -sb "$DIR/content/prestataires" | cut -f1)
  echo "N=$N: generated $(human "$gen_size") of entries in $DIR" >&2

  wall=$(measure "$TMP/build.time" "$TMP/build.err" "$BIN" build --root "$DIR" --out "$DIR/public" --timings)
  cpu=$(timelog "$TMP/build.time" | awk '{print $2+$3}' | median)
  rss=$(timelog "$TMP/build.time" | awk '{print $4}' | median)
  out_size=$(du -sb "$DIR/public" | cut -f1)
  read -r big_size big_path < <(find "$DIR/public" -name '*.html' -printf '%s %P\n' | sort -n | tail -1)
  pages=$(find "$DIR/public" -name '*.html' | wc -l)
  ROWS+=("| $N | build | $(printf '%.3f' "$wall") s | $(printf '%.2f' "$cpu") s | $(awk -v k="$rss" 'BEGIN{printf "%.0f", k/1024}') MiB | $(human "$out_size") ($pages pages) | $(human "$big_size") \`$big_path\` |")
  # Stage timings: lines "  <stage>  <ms> ms" printed by --timings, median per stage.
  for stage in $(awk '$NF=="ms" && NF==3 {print $1}' "$TMP/build.err" | awk '!seen[$0]++'); do
    ms=$(awk -v s="$stage" '$1==s && $NF=="ms" && NF==3 {print $2}' "$TMP/build.err" | median)
    STAGES+=("| $N | $stage | $ms ms |")
  done

  wall=$(measure "$TMP/check.time" "$TMP/check.err" "$BIN" check --root "$DIR")
  cpu=$(timelog "$TMP/check.time" | awk '{print $2+$3}' | median)
  rss=$(timelog "$TMP/check.time" | awk '{print $4}' | median)
  ROWS+=("| $N | check | $(printf '%.3f' "$wall") s | $(printf '%.2f' "$cpu") s | $(awk -v k="$rss" 'BEGIN{printf "%.0f", k/1024}') MiB | — | — |")
  echo "N=$N: $(tail -1 "$TMP/check.err")" >&2
done

if [ "${NO_SERVE:-0}" != 1 ]; then
  # The bundled content, copied (the edits must not touch the repository).
  B=$BASE/bundled
  rm -rf "$B"
  mkdir -p "$B"
  cp -r content "$B/content"
  for root in "$B" $(for N in "${SIZES[@]}"; do echo "$BASE/$N"; done); do
    line=$("$LATENCY" "$BIN" "$root" "$SERVE_EDITS" | tail -1)
    echo "$line" >&2
    SERVE+=("| $(basename "$root") | $(sed -E 's/.*save→page median ([0-9.]+) ms.*/\1/' <<<"$line") ms | $(sed -E 's/.*\(min ([0-9.]+), max ([0-9.]+)\).*/\1 – \2/' <<<"$line") ms | $(sed -E 's/.*server rebuild median ([0-9.]+) ms.*/\1/' <<<"$line") ms | $(sed -E 's/.*started in ([0-9]+) ms.*/\1/' <<<"$line") ms |")
  done
fi

echo "## build and check (medians of $RUNS runs)"
echo
echo "| N | command | wall | CPU (user+sys) | peak RSS | output | largest page |"
echo "|---:|---|---:|---:|---:|---:|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "## build stages (--timings, medians)"
echo
echo "| N | stage | time |"
echo "|---:|---|---:|"
printf '%s\n' "${STAGES[@]}"
if [ ${#SERVE[@]} -gt 0 ]; then
  echo
  echo "## serve: save → new page served ($SERVE_EDITS edits)"
  echo
  echo "| site | median | min – max | server rebuild (median) | startup |"
  echo "|---|---:|---:|---:|---:|"
  printf '%s\n' "${SERVE[@]}"
fi
