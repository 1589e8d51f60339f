#!/usr/bin/env bash
# Time and peak memory of `annuaire check` refusing the 35 KB YAML alias bomb
# (tests/hostile/alias-bomb-35k.md: one anchor of 1,000 strings reused 11,000 times), against the
# same site without it. The budget set by the hostile-input issue: refused in under 100 ms and
# 50 MB. A measurement, not a test: run it on a quiet machine.
#
#   scripts/measure-alias-bomb.sh          RUNS=11 by default; prints medians
#
# Peak RSS comes from /usr/bin/time -v ("Maximum resident set size") of the release binary, for the
# whole process (site files, nomenclature, communes included): the bomb's own cost is the
# difference with the baseline. For the parse alone, see `cargo bench --bench hostile`.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-11}"
BUDGET_MS=100
BUDGET_MB=50
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }

cargo build --release --quiet --bin annuaire
BIN="$PWD/target/release/annuaire"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r tests/fixtures/mini "$work/baseline"
cp -r tests/fixtures/mini "$work/bomb"
cp tests/hostile/alias-bomb-35k.md "$work/bomb/content/prestataires/"

# The bomb is refused, with the rule that says why.
out=$(SOURCE_DATE_EPOCH=1764320000 "$BIN" check --root "$work/bomb" --format json || true)
grep -q '"rule":"yaml/alias"' <<<"$out" || { echo "the bomb was not refused:"; echo "$out"; exit 1; }

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# Prints "<median wall ms> <median peak RSS KiB>" for `check` on a site.
measure() {
  local site=$1 i t0 t1
  : >"$work/ms"
  : >"$work/kb"
  for i in $(seq "$RUNS"); do
    t0=$(date +%s%N)
    SOURCE_DATE_EPOCH=1764320000 "$TIME" -v -o "$work/time.txt" \
      "$BIN" check --root "$site" --format json >/dev/null || true
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000)) | awk '{print $1/1000}' >>"$work/ms"
    sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt" >>"$work/kb"
  done
  echo "$(median <"$work/ms") $(median <"$work/kb")"
}

read -r base_ms base_kb < <(measure "$work/baseline")
read -r bomb_ms bomb_kb < <(measure "$work/bomb")

printf '%-34s %10s %14s\n' "annuaire check ($RUNS runs, median)" "wall" "peak RSS"
printf '%-34s %7.1f ms %10.1f MiB\n' "fixture site" "$base_ms" "$(awk -v k="$base_kb" 'BEGIN{print k/1024}')"
printf '%-34s %7.1f ms %10.1f MiB\n' "fixture site + 35 KB alias bomb" "$bomb_ms" "$(awk -v k="$bomb_kb" 'BEGIN{print k/1024}')"
printf '%-34s %7.1f ms %10.1f MiB\n' "difference (the bomb's cost)" \
  "$(awk -v a="$bomb_ms" -v b="$base_ms" 'BEGIN{print a-b}')" \
  "$(awk -v a="$bomb_kb" -v b="$base_kb" 'BEGIN{print (a-b)/1024}')"

ok=$(awk -v ms="$bomb_ms" -v kb="$bomb_kb" -v bms="$BUDGET_MS" -v bmb="$BUDGET_MB" \
  'BEGIN{print (ms < bms && kb < bmb * 1024) ? "yes" : "no"}')
if [ "$ok" = yes ]; then
  echo "within budget: under $BUDGET_MS ms and $BUDGET_MB MB for the whole process"
else
  echo "OVER BUDGET: $BUDGET_MS ms / $BUDGET_MB MB"
  exit 1
fi
