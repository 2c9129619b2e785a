"""Train/evaluate scikit-learn's RandomForestClassifier on the same CSV files as ForestBenchmark."""
import json, sys, time
import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score

args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
target = args.get("--target", "y")

def load(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    data = np.genfromtxt(path, delimiter=",", skip_header=1, dtype=np.float32, filling_values=np.nan)
    j = header.index(target)
    y = data[:, j].astype(np.int64)
    X = np.delete(data, j, axis=1)
    return X, y

X, y = load(args["--train"])
Xt, yt = load(args["--test"])
cw = "balanced" if args.get("--class-weight") == "balanced" else None
clf = RandomForestClassifier(n_estimators=int(args.get("--trees", 100)), min_samples_leaf=int(args.get("--min-leaf", 1)),
                             max_features="sqrt", n_jobs=2, random_state=int(args.get("--seed", 0)), class_weight=cw)
t0 = time.perf_counter(); clf.fit(X, y); fit_s = time.perf_counter() - t0
pred_s = float("inf")
for _ in range(3):  # best of 3, as on our side
    t0 = time.perf_counter(); p = clf.predict_proba(Xt); pred_s = min(pred_s, time.perf_counter() - t0)
clf.n_jobs = 1  # the same on one thread (per-core comparison)
pred_s1 = float("inf")
for _ in range(3):
    t0 = time.perf_counter(); clf.predict_proba(Xt); pred_s1 = min(pred_s1, time.perf_counter() - t0)
pred = clf.classes_[p.argmax(axis=1)]
n_single = min(int(args.get("--single", 1000)), len(Xt))
times = []
for i in range(n_single):
    row = Xt[i:i + 1]
    s = time.perf_counter(); clf.predict_proba(row); times.append(time.perf_counter() - s)
print(json.dumps({"impl": "sklearn", "fit_s": fit_s, "predict_rows_per_s": len(Xt) / pred_s,
                  "predict_rows_per_s_1thread": len(Xt) / pred_s1,
                  "single_row_us": float(np.median(times) * 1e6), "accuracy": accuracy_score(yt, pred),
                  "macro_f1": f1_score(yt, pred, average="macro"), "n_test": len(Xt),
                  "nodes": int(sum(e.tree_.node_count for e in clf.estimators_))}))
