#!/usr/bin/env bash
# Hotspot forecasting benchmark: aqyl forecast (naive, kde, sepp, auto) beside a Python reference (naive counts,
# scikit-learn KernelDensity) on the NIJ Portland calls for service and police.uk West Yorkshire, same run.
#   Portland: train 2016-08-01..2016-09-01, forecast the held-back 2016-09-02..2016-09-15; 183 m cells, 1,942,491 m²
#             (≈ 600 ft and 0.75 sq mi, the NIJ challenge's largest cells and area).
#   West Yorkshire: train July 2016, forecast July 2017; 250 m cells, 5 km².
# Also times forecasts of ~28k (Portland, all calls) and ~53k (West Yorkshire, both months) incidents.
# Needs ../shared/data/crime beside the checkout. Writes Benchmarks/forecast/out/ (results.json, cells, cards).
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA="${AQYL_CRIME_DATA:-../shared/data/crime}"
[ -d "$DATA" ] || { echo "run.sh: $DATA not found" >&2; exit 1; }
swift build -c release --product aqyl
AQYL="$(swift build -c release --product aqyl --show-bin-path)/aqyl"
if [ ! -x .venv-bench/bin/python ]; then python3 -m venv .venv-bench; fi
.venv-bench/bin/python -m pip install -q --disable-pip-version-check numpy scikit-learn
.venv-bench/bin/python -c 'import numpy, sklearn; print("reference: numpy", numpy.__version__, "scikit-learn", sklearn.__version__)'
.venv-bench/bin/python Benchmarks/forecast/bench.py --aqyl "$AQYL" --data "$DATA" --out Benchmarks/forecast/out | tee Benchmarks/forecast/out/table.txt
