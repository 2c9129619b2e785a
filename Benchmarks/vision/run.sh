#!/usr/bin/env bash
# Benchmark: SORT (python reference) vs our ByteTrack-style tracker (swift vision-tool) on the
# MOT15 sequences in ../shared/data, evaluated with py-motmetrics and with our evaluator.
#
#   bash Benchmarks/vision/run.sh [DATA_DIR] [OUT_DIR]
#
# Installs numpy, scipy, motmetrics, filterpy and lap into .venv-bench (PyPI) on first use.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DATA="${1:-$ROOT/../shared/data/video/mot15}"
OUT="${2:-/tmp/vision-run}"
PY="$ROOT/.venv-bench/bin/python"
[ -x "$PY" ] || python3 -m venv "$ROOT/.venv-bench"
"$PY" -m pip install -q --disable-pip-version-check numpy scipy motmetrics filterpy lap
TOOL_BIN="$ROOT/.build/release/aqyl"
tool() { "$TOOL_BIN" vision "$@"; }
SEQS=(ADL-Rundle-6 ETH-Bahnhof ETH-Sunnyday KITTI-13 PETS09-S2L1 TUD-Campus TUD-Stadtmitte)

(cd "$ROOT" && swift build -c release --product aqyl >&2)
mkdir -p "$OUT/sort" "$OUT/ours"

SORT_ARGS=(); OURS_ARGS=(); BENCH=()
for S in "${SEQS[@]}"; do
  DET="$DATA/$S/det/det.txt"; GT="$DATA/$S/gt/gt.txt"
  "$PY" "$HERE/sort.py" "$DET" "$OUT/sort/$S.txt"
  tool track --detections "$DET" --out "$OUT/ours/$S.txt" 2>/dev/null
  tool evaluate --gt "$GT" --result "$OUT/ours/$S.txt" --json > "$OUT/ours/$S.eval.json"
  tool evaluate --gt "$GT" --result "$OUT/sort/$S.txt" --json > "$OUT/sort/$S.eval.json"
  tool bench --detections "$DET" --repeat 20 > "$OUT/ours/$S.bench.json"
  SORT_ARGS+=("$S" "$GT" "$OUT/sort/$S.txt"); OURS_ARGS+=("$S" "$GT" "$OUT/ours/$S.txt")
done
"$PY" "$HERE/mm_eval.py" --json "${SORT_ARGS[@]}" > "$OUT/sort/motmetrics.json"
"$PY" "$HERE/mm_eval.py" --json "${OURS_ARGS[@]}" > "$OUT/ours/motmetrics.json"
# Variant: drop gt rows with conf 0 (loadtxt(..., min_confidence=1)), for comparison only.
"$PY" "$HERE/mm_eval.py" --json --min-gt-conf 1 "${SORT_ARGS[@]}" > "$OUT/sort/motmetrics_conf1.json"
"$PY" "$HERE/mm_eval.py" --json --min-gt-conf 1 "${OURS_ARGS[@]}" > "$OUT/ours/motmetrics_conf1.json"
# Evaluator check on py-motmetrics' own test data (expected MOTA 52.6 / 56.4).
TD="$(dirname "$DATA")/motmetrics_testdata"
if [ -d "$TD" ]; then
  for S in TUD-Campus TUD-Stadtmitte; do
    tool evaluate --gt "$TD/$S/gt.txt" --result "$TD/$S/test.txt" --json > "$OUT/testdata-$S.eval.json"
  done
  "$PY" "$HERE/mm_eval.py" --json TUD-Campus "$TD/TUD-Campus/gt.txt" "$TD/TUD-Campus/test.txt" \
      TUD-Stadtmitte "$TD/TUD-Stadtmitte/gt.txt" "$TD/TUD-Stadtmitte/test.txt" > "$OUT/testdata.motmetrics.json"
fi
"$PY" "$HERE/table.py" "$OUT" "${SEQS[@]}"
