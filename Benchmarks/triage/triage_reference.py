"""scikit-learn reference: char_wb TF-IDF (1-5, sublinear tf) + one-vs-rest logistic regression,
threshold 0.5, trained on TRAIN, scored on TEST. Labels are binarised at 0.5 (train.csv holds
annotator scores in [0, 1])."""
import argparse, json, sys, time
import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.multiclass import OneVsRestClassifier

p = argparse.ArgumentParser()
p.add_argument("--train", required=True)
p.add_argument("--test", required=True)
p.add_argument("--c", type=float, default=10.0)
p.add_argument("--json", action="store_true")
a = p.parse_args()

tr = pd.read_csv(a.train)
te = pd.read_csv(a.test)
labels = [c for c in tr.columns if c != "text"]
ytr = (tr[labels].values >= 0.5).astype(int)
yte = (te[labels].values >= 0.5).astype(int)
t0 = time.time()
vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 5), sublinear_tf=True, min_df=2, lowercase=True)
Xtr = vec.fit_transform(tr["text"].fillna(""))
Xte = vec.transform(te["text"].fillna(""))
clf = OneVsRestClassifier(LogisticRegression(C=a.c, max_iter=1000, solver="liblinear"))
clf.fit(Xtr, ytr)
pred = (clf.predict_proba(Xte) >= 0.5).astype(int)
secs = time.time() - t0
pr, rc, f1, sup = precision_recall_fscore_support(yte, pred, zero_division=0)
out = {
    "n": len(te), "micro_f1": f1_score(yte, pred, average="micro", zero_division=0),
    "macro_f1": f1_score(yte, pred, average="macro", zero_division=0), "seconds": secs,
    "features": Xtr.shape[1], "c": a.c,
    "labels": {l: {"f1": f1[i], "precision": pr[i], "recall": rc[i], "support": int(sup[i])} for i, l in enumerate(labels)},
}
if a.json:
    print(json.dumps(out, sort_keys=True))
else:
    print(f"reference C={a.c}: n={out['n']} micro-F1={out['micro_f1']:.4f} macro-F1={out['macro_f1']:.4f} ({secs:.1f} s)")
