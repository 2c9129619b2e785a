#!/usr/bin/env bash
# Dropper model on the two AMLSim 20K graphs, both directions (train on one, evaluate on the other), beside
# scikit-learn's RandomForestClassifier on simple per-account flow features: same graphs, same split, same run.
# Aqyl's settings come from `--select`: out-of-bag PR-AUC on the TRAINING graph only; the evaluation graph's labels
# are read by `evaluate` alone.
# Usage: bash Benchmarks/fraud/run.sh [AMLSIM_DIR]    (AQYL=path/to/aqyl to skip the build)
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${1:-../shared/data/fraud/amlsim}
[ -f "$DATA/20K_cycle200/nodes.csv" ] || { echo "no AMLSim data at $DATA (see ../shared/data/README.md)"; exit 1; }
if [ ! -x .venv-bench/bin/python ]; then python3 -m venv .venv-bench; fi
.venv-bench/bin/python -m pip install -q --disable-pip-version-check scikit-learn pandas numpy
if [ -z "${AQYL:-}" ]; then swift build -c release --product aqyl; AQYL=.build/release/aqyl; fi
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"; echo "outputs in $OUT"
for pair in "20K_cycle200 20K_fanin200" "20K_fanin200 20K_cycle200"; do
  set -- $pair
  tr=$1; te=$2
  echo "== train $tr → evaluate $te"
  "$AQYL" fraud train --graph "$DATA/$tr" --out "$OUT/$tr.model" --select 2> "$OUT/$tr.train.log" | tee "$OUT/$tr.train.txt"
  grep selection "$OUT/$tr.train.log" || true
  "$AQYL" fraud evaluate --model "$OUT/$tr.model" --graph "$DATA/$te" --json --card 2>/dev/null > "$OUT/ours_$tr.json"
  .venv-bench/bin/python Benchmarks/fraud/reference.py "$DATA/$tr" "$DATA/$te" > "$OUT/ref_$tr.json"
done
.venv-bench/bin/python - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
print("\n| train → evaluate | model | PR-AUC | ROC-AUC | F1 | precision | recall | accounts |")
print("|---|---|---|---|---|---|---|---|")
for tr, te in (("20K_cycle200", "20K_fanin200"), ("20K_fanin200", "20K_cycle200")):
    o = json.load(open(f"{out}/ours_{tr}.json")); r = json.load(open(f"{out}/ref_{tr}.json"))
    for name, d in (("Aqyl dropper model", o), ("scikit-learn RF, flow features", r)):
        print(f"| {tr} → {te} | {name} | {d['pr_auc']:.4f} | {d['roc_auc']:.4f} | {d['f1']:.4f} | {d['precision']:.3f} | {d['recall']:.3f} | {d['n_accounts']} |")
PY
