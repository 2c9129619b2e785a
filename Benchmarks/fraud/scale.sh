#!/usr/bin/env bash
# Scale benchmark (SYNTHETIC data): 1,000,000 accounts / 10,000,000 transfers from `aqyl fraud generate`, scored on
# 2 cores by a model trained on a separate 100,000-account graph of the same generator (other seed); then a 4-hop
# trace on the big graph. Prints each phase's time and the peak memory (`/usr/bin/time -v` and the command's own report).
# Usage: bash Benchmarks/fraud/scale.sh [OUT_DIR]    (AQYL=path/to/aqyl to skip the build; about 2.5 GB of disk)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-$(mktemp -d)}
mkdir -p "$OUT"
if [ -z "${AQYL:-}" ]; then swift build -c release --product aqyl; AQYL=.build/release/aqyl; fi
PIN=""; command -v taskset >/dev/null && PIN="taskset -c 0,1"
echo "== machine: $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -f "$OUT/g1m/transfers.csv" ] || "$AQYL" fraud generate --accounts 1000000 --transfers 10000000 --seed 1 --out "$OUT/g1m"
[ -f "$OUT/g100k/transfers.csv" ] || "$AQYL" fraud generate --accounts 100000 --transfers 1000000 --seed 2 --out "$OUT/g100k"
echo "== train on g100k (seed 2)"
"$AQYL" fraud train --graph "$OUT/g100k" --out "$OUT/g100k.model" 2>/dev/null
echo "== score g1m on 2 cores"
/usr/bin/time -v $PIN "$AQYL" fraud score --model "$OUT/g100k.model" --graph "$OUT/g1m" --out "$OUT/scores.csv" --threads 2 \
  2> "$OUT/score.err" | tee "$OUT/score.txt"
grep -E "^timing|Maximum resident|Elapsed \(wall|User time|Percent of CPU" "$OUT/score.err"
echo "== evaluate on g1m (its labels are the planted droppers: a sanity check of a synthetic task, not a quality claim)"
$PIN "$AQYL" fraud evaluate --model "$OUT/g100k.model" --graph "$OUT/g1m" --threads 2 2>/dev/null
echo "== trace 4 hops from the first planted victim transfer into a dropper"
T=$(awk -F, 'NR==FNR { if ($5 == "1") d[$1] = 1; next } FNR > 1 && ($3 in d) && !($2 in d) && $4 >= 100000 { print $1; exit }' \
  "$OUT/g1m/accounts.csv" "$OUT/g1m/transfers.csv")
/usr/bin/time -v $PIN "$AQYL" fraud trace --graph "$OUT/g1m" --from-transfer "$T" --hops 4 --model "$OUT/g100k.model" \
  --out "$OUT/case.json" --threads 2 2> "$OUT/trace.err" | tee "$OUT/trace.txt"
grep -E "^timing|Maximum resident|Elapsed \(wall" "$OUT/trace.err"
echo "case files: $OUT/case.json $OUT/case.dot $OUT/case.svg"
