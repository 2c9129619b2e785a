#!/usr/bin/env bash
# How `aqyl assistance train`'s default min leaf was chosen, with Aqyl's own forest and never the test split:
# the households of the default split's test part (seed 42) are removed first; on the rest, SEEDS random
# stratified splits (each holds out 20% as its own test part) score every variant, paired by seed.
# Usage: bash Benchmarks/assistance/cv_swift.sh [MEMBERS.csv] [SEEDS]   (README figures: 40 seeds)
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${1:-../shared/data/eligibility/costa_rica/households_train.csv}
SEEDS=${2:-40}
[ -f "$DATA" ] || { echo "no data at $DATA (see ../shared/data/README.md)"; exit 1; }
if [ ! -x .venv-bench/bin/python ]; then python3 -m venv .venv-bench; fi
.venv-bench/bin/python -m pip install -q --disable-pip-version-check pandas numpy
swift build -c release --product aqyl
OUT=$(mktemp -d)
AQYL=.build/release/aqyl
$AQYL assistance export-features --data "$DATA" --schema schemas/costa_rica.json --out "$OUT/features.csv" 2>/dev/null
.venv-bench/bin/python - "$DATA" "$OUT" <<'PY'
import sys, pandas as pd
data, out = sys.argv[1], sys.argv[2]
f = pd.read_csv(f"{out}/features.csv", usecols=["household", "split"], dtype=str)
test = set(f[f.split == "test"].household)
m = pd.read_csv(data, dtype=str, keep_default_na=False)
m[~m.idhogar.isin(test)].to_csv(f"{out}/nontest.csv", index=False)
print(f"households left after removing the default test split: {f.household.nunique() - len(test)}")
PY
for s in $(seq 1 "$SEEDS"); do
  for v in default select leaf2 leaf4 leaf12 leaf16; do
    case $v in default) a="";; select) a="--select";; *) a="--min-leaf ${v#leaf}";; esac
    f=$($AQYL assistance train --data "$OUT/nontest.csv" --schema schemas/costa_rica.json --out "$OUT/m.model" --seed "$s" $a 2>/dev/null \
        | grep -o 'binary macro-F1 [0-9.]*' | awk '{print $3}')
    echo "$s $v $f" >> "$OUT/scores.txt"
  done
  echo "split $s/$SEEDS done" >&2
done
.venv-bench/bin/python - "$OUT/scores.txt" <<'PY'
import sys, numpy as np, pandas as pd
d = pd.read_csv(sys.argv[1], sep=" ", names=["seed", "variant", "f1"]).pivot(index="seed", columns="variant", values="f1")
print(f"binary macro-F1 over {len(d)} splits of the non-test households, paired against the default (min leaf 8, sqrt features):")
for v in ["default", "select", "leaf2", "leaf4", "leaf12", "leaf16"]:
    dd = d[v] - d["default"]
    se = dd.std(ddof=1) / np.sqrt(len(dd)) if len(dd) > 1 else 0.0
    print(f"  {v:8s} mean {d[v].mean():.4f}   vs default {dd.mean():+.4f} (se {se:.4f}, better in {(dd > 0).sum()}/{len(dd)})")
PY
