#!/usr/bin/env bash
# Benchmark AqylML's random forest against scikit-learn on the same data in the same run.
# Usage: Benchmarks/forest/run.sh   (env: TREES=100 MIN_LEAF=1 SEED=0 THREADS=2 COSTA_SEEDS="0 1 2 3 4")
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=Benchmarks/forest
DATA=$HERE/data
VENV=.venv-bench
TREES=${TREES:-100}; MIN_LEAF=${MIN_LEAF:-1}; SEED=${SEED:-0}; THREADS=${THREADS:-2}
COSTA_SRC=${COSTA_SRC:-../shared/data/eligibility/costa_rica/households_train.csv}

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import sklearn, numpy" 2>/dev/null || "$VENV/bin/pip" install -q scikit-learn numpy
PY="$VENV/bin/python"
echo "load before: $(uptime)"
echo "scikit-learn $($PY -c 'import sklearn; print(sklearn.__version__)'), $(swift --version 2>&1 | head -1), $(nproc) cores"

mkdir -p "$DATA"
[ -f "$DATA/train.csv" ] || { echo "generating 250,000 x 40 data set..."; $PY $HERE/gen_synthetic.py "$DATA"; }
swift build -c release --product ForestBenchmark 2>&1 | tail -1
BENCH=.build/release/ForestBenchmark

common=(--trees "$TREES" --min-leaf "$MIN_LEAF" --seed "$SEED" --single 1000)
echo "synthetic: trees=$TREES min_samples_leaf=$MIN_LEAF max_features=sqrt threads/n_jobs=$THREADS"
ours=$($BENCH --train $DATA/train.csv --test $DATA/test.csv --target y --threads "$THREADS" "${common[@]}")
sk=$($PY $HERE/sklearn_bench.py --train $DATA/train.csv --test $DATA/test.csv --target y "${common[@]}")
echo "ours:    $ours"; echo "sklearn: $sk"
$PY $HERE/compare.py "synthetic 200,000 train / 50,000 test x 40 features" "$ours" "$sk" speed

if [ -f "$COSTA_SRC" ]; then
    $PY $HERE/costa_rica.py "$COSTA_SRC" "$DATA/costa_rica"
    for s in ${COSTA_SEEDS:-0}; do
        cr=(--train $DATA/costa_rica/train.csv --test $DATA/costa_rica/test.csv --target label --trees "$TREES"
            --min-leaf "$MIN_LEAF" --class-weight balanced --seed "$s" --single 200)
        ours=$($BENCH "${cr[@]}" --threads "$THREADS")
        sk=$($PY $HERE/sklearn_bench.py "${cr[@]}")
        $PY $HERE/compare.py "Costa Rica heads of household, class_weight=balanced, seed $s" "$ours" "$sk"
    done
fi
echo "load after: $(uptime)"
