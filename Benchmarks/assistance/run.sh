#!/usr/bin/env bash
# ASP eligibility on the Costa Rica data: Aqyl's model and scikit-learn's forest on the same household features and
# the same split, in one run. Installs scikit-learn and pandas into .venv-bench (PyPI) on first use.
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${1:-../shared/data/eligibility/costa_rica/households_train.csv}
[ -f "$DATA" ] || { echo "no data at $DATA (see ../shared/data/README.md)"; exit 1; }
if [ ! -x .venv-bench/bin/python ]; then python3 -m venv .venv-bench; fi
.venv-bench/bin/python -m pip install -q --disable-pip-version-check scikit-learn pandas numpy
swift build -c release --product aqyl
OUT=$(mktemp -d)
echo "== Aqyl (aqyl assistance train defaults: 300 trees, seed 42, min leaf 8, sqrt features per split, out-of-bag calibration and threshold)"
.build/release/aqyl assistance train --data "$DATA" --schema schemas/costa_rica.json --out "$OUT/cr.model" 2>"$OUT/train.log"
echo "   (--select: min leaf and features per split chosen by out-of-bag macro-F1, the default before 2026-11-27:)"
.build/release/aqyl assistance train --data "$DATA" --schema schemas/costa_rica.json --out "$OUT/cr-select.model" --select 2>/dev/null
echo "   (min leaf 2 like the reference:)"
.build/release/aqyl assistance train --data "$DATA" --schema schemas/costa_rica.json --out "$OUT/cr-leaf2.model" --min-leaf 2 2>/dev/null
echo "   (min leaf 2, calibration on a held-out 20% of the training part instead of out-of-bag:)"
.build/release/aqyl assistance train --data "$DATA" --schema schemas/costa_rica.json --out "$OUT/cr-heldout.model" --min-leaf 2 --calibration held-out 2>/dev/null
.build/release/aqyl assistance export-features --data "$DATA" --schema schemas/costa_rica.json --out "$OUT/features.csv" 2>/dev/null
echo "== scikit-learn, same features and split"
.venv-bench/bin/python Benchmarks/assistance/costa_rica_reference.py "$OUT/features.csv" 300 2 42
echo "(model card: $OUT/cr.model.card.md)"
