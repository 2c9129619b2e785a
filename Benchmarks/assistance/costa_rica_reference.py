"""scikit-learn reference for the ASP eligibility model on the Costa Rica data.

Reads the household feature table that `aqyl assistance export-features` writes (same features, same split as
`aqyl assistance train`), trains RandomForestClassifier with the same settings on the training part
(fit + calibration rows), and prints binary and 4-class macro-F1 on the test rows.
"""
import sys

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score

path, trees, min_leaf, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
df = pd.read_csv(path, dtype={"target": str, "eligible": int})
features = [c for c in df.columns if c not in ("household", "split", "target", "eligible")]
X = df[features].copy()
for c in X.columns:
    if X[c].dtype == object:
        X[c] = X[c].astype("category").cat.codes  # categorical columns as integer codes
X = X.fillna(-1).to_numpy(dtype=np.float32)  # scikit-learn's forest: missing as -1 (plain usage)
train = (df["split"] != "test").to_numpy()
test = ~train
out = {}
for name, y in (("binary", df["eligible"].to_numpy()), ("4-class", df["target"].astype(int).to_numpy())):
    rf = RandomForestClassifier(n_estimators=trees, min_samples_leaf=min_leaf, class_weight="balanced",
                                max_features="sqrt", n_jobs=2, random_state=seed)
    rf.fit(X[train], y[train])
    out[name] = f1_score(y[test], rf.predict(X[test]), average="macro")
print(f"scikit-learn RandomForestClassifier ({trees} trees, min leaf {min_leaf}, balanced): "
      f"binary macro-F1 {out['binary']:.3f}, 4-class macro-F1 {out['4-class']:.3f} on {int(test.sum())} test households")
