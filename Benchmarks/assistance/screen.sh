#!/usr/bin/env bash
# Screening benchmark: `aqyl assistance screen` on N SYNTHETIC households (default 5,000,000) beside a pandas +
# scikit-learn reference on the first M of them (default 1,000,000; the reference needs several GB per million).
# Usage: bash Benchmarks/assistance/screen.sh [N] [M]. Files go to ${OUT:-/tmp/aqyl-screen-bench}.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-5000000}; M=${2:-1000000}; OUT=${OUT:-/tmp/aqyl-screen-bench}
mkdir -p "$OUT"
if [ ! -x .venv-bench/bin/python ]; then python3 -m venv .venv-bench; fi
.venv-bench/bin/python -m pip install -q --disable-pip-version-check scikit-learn pandas numpy
swift build -c release --product aqyl
A=.build/release/aqyl
[ -f "$OUT/train.csv" ] || $A assistance synth --households 100000 --seed 1 --out "$OUT/train.csv"
[ -f "$OUT/registry.csv" ] || $A assistance synth --households "$N" --seed 99 --out "$OUT/registry.csv"
[ -f "$OUT/registry-$M.csv" ] || $A assistance synth --households "$M" --seed 99 --out "$OUT/registry-$M.csv"
$A assistance train --data "$OUT/train.csv" --schema schemas/kazakhstan.json --out "$OUT/model" --trees 100 --min-leaf 3 2>/dev/null | tail -2
T=$(python3 -c "import json;print(json.load(open('$OUT/model'))['threshold'])")
echo "== ours, $N households (2 cores):"
$A assistance screen --registry "$OUT/registry.csv" --model "$OUT/model" --out "$OUT/candidates.csv" 2>/dev/null
echo "== ours, $M households:"
$A assistance screen --registry "$OUT/registry-$M.csv" --model "$OUT/model" --out "$OUT/candidates-$M.csv" 2>/dev/null
echo "== reference, $M households (same training file, same tree count, threshold $T):"
.venv-bench/bin/python Benchmarks/assistance/screen_reference.py "$OUT/train.csv" "$OUT/registry-$M.csv" "$OUT/reference-$M.csv" 100 "$T"
