"""Reference for the dropper model: scikit-learn's RandomForestClassifier on simple per-account flow features.

Usage: reference.py TRAIN_DIR TEST_DIR  (AMLSim layout). Prints one JSON object (pr_auc, roc_auc, f1, n_accounts, ...).
Features: in/out transfer counts, sums, means, maxima, distinct counterparties each way and the opening balance;
fraudStep is never read, isFraud is only the label. 300 trees, seed 42, scikit-learn defaults otherwise;
F1 at predict_proba >= 0.5 (scikit-learn's predict).
"""
import json
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score, roc_auc_score


def load(d):
    nodes = pd.read_csv(f"{d}/nodes.csv", usecols=lambda c: c in ("nodeid", "init_balance", "isFraud"))
    tx = pd.read_csv(f"{d}/transactions.csv")
    f = pd.DataFrame(index=nodes.nodeid)
    f["init_balance"] = nodes.set_index("nodeid").init_balance
    out = tx.groupby("sourceNodeId").value
    inn = tx.groupby("targetNodeId").value
    for name, g in (("out", out), ("in", inn)):
        f[f"{name}_count"] = g.count()
        f[f"{name}_sum"] = g.sum()
        f[f"{name}_mean"] = g.mean()
        f[f"{name}_max"] = g.max()
    f["out_degree"] = tx.groupby("sourceNodeId").targetNodeId.nunique()
    f["in_degree"] = tx.groupby("targetNodeId").sourceNodeId.nunique()
    f = f.fillna(0.0)
    y = nodes.set_index("nodeid").isFraud.reindex(f.index).astype(int).values
    return f, y


def main():
    train_dir, test_dir = sys.argv[1], sys.argv[2]
    Xtr, ytr = load(train_dir)
    Xte, yte = load(test_dir)
    m = RandomForestClassifier(n_estimators=300, random_state=42, n_jobs=-1).fit(Xtr, ytr)
    p = m.predict_proba(Xte)[:, 1]
    pred = (p >= 0.5).astype(int)
    print(json.dumps({
        "model": f"scikit-learn {sklearn.__version__} RandomForestClassifier(n_estimators=300, random_state=42)",
        "features": list(Xtr.columns),
        "train": train_dir, "test": test_dir,
        "n_accounts": int(len(yte)), "n_droppers": int(yte.sum()),
        "pr_auc": float(average_precision_score(yte, p)), "roc_auc": float(roc_auc_score(yte, p)),
        "f1": float(f1_score(yte, pred)), "precision": float(precision_score(yte, pred, zero_division=0)),
        "recall": float(recall_score(yte, pred)),
    }, indent=1))


if __name__ == "__main__":
    main()
