#!/usr/bin/env bash
# Trains ours and the scikit-learn reference on train.csv, scores both on val.csv, prints them
# side by side. Usage: Benchmarks/triage/run.sh [DATA_DIR]   (env: REF_C=10, PY=.venv-bench/bin/python)
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${1:-../shared/data/triage/sensitive_topics}
PY=${PY:-.venv-bench/bin/python}
REF_C=${REF_C:-10}
OUT=Benchmarks/triage/out
mkdir -p "$OUT"
[ -x "$PY" ] || python3 -m venv .venv-bench
"$PY" -m pip install -q --disable-pip-version-check scikit-learn pandas
swift build -c release --product aqyl 2>&1 | tail -1 >&2
bash scripts/install-embeddings.sh   # navec word vectors (PyPI wheel of natasha), once
BIN=".build/release/aqyl triage"

echo "== ours without word vectors (--word-vectors none), for comparison ==" >&2
$BIN train --data "$DATA/train.csv" --text-column text --out "$OUT/triage-novectors.model.json" \
  --label-values scores --word-vectors none 2> >(grep -v "train: [0-9]*/" >&2)
$BIN evaluate --model "$OUT/triage-novectors.model.json" --data "$DATA/val.csv" --json > "$OUT/ours-novectors.json"

echo "== ours: train (train.csv) ==" >&2
start=$(date +%s.%N)
$BIN train --data "$DATA/train.csv" --text-column text --out "$OUT/triage.model.json" \
  --label-values scores 2> >(grep -v "train: [0-9]*/" >&2)
end=$(date +%s.%N)
echo "== ours: evaluate (val.csv) ==" >&2
$BIN evaluate --model "$OUT/triage.model.json" --data "$DATA/val.csv" --json > "$OUT/ours.json"
echo "== reference: scikit-learn (C=$REF_C) ==" >&2
$PY Benchmarks/triage/triage_reference.py --train "$DATA/train.csv" --test "$DATA/val.csv" --c "$REF_C" --json > "$OUT/reference.json"

$PY - "$OUT/ours.json" "$OUT/reference.json" "$start" "$end" "$OUT/triage.model.json" "$OUT/ours-novectors.json" <<'PYEOF'
import json, os, sys
ours, ref = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
plain = json.load(open(sys.argv[6]))
train_s = float(sys.argv[4]) - float(sys.argv[3])
print(f"val.csv n={ours['n']}  (train.csv -> val.csv, threshold/calibration from train.csv only)")
print(f"{'':22}{'ours':>10}{'reference':>11}{'ours, no vectors':>18}")
print(f"{'micro-F1':22}{ours['micro_f1']:>10.4f}{ref['micro_f1']:>11.4f}{plain['micro_f1']:>18.4f}")
print(f"{'macro-F1':22}{ours['macro_f1']:>10.4f}{ref['macro_f1']:>11.4f}{plain['macro_f1']:>18.4f}")
print(f"{'train+fit seconds':22}{train_s:>10.1f}{ref['seconds']:>11.1f}")
print(f"{'model file MB':22}{os.path.getsize(sys.argv[5])/1e6:>10.1f}")
print("per-label F1 (support):")
for l in ours["label_order"]:
    o, r = ours["labels"][l], ref["labels"][l]
    print(f"  {l:20}{o['f1']:>10.3f}{r['f1']:>11.3f}   ({o['support']})")
PYEOF
