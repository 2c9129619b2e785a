"""Which ASP model variant to use, chosen by repeated stratified 5-fold CV on the NON-test households only.

Reads the household table that `aqyl assistance export-features` writes; rows whose split is "test" are dropped
before anything else. Compares, over the same folds (paired): the base features; the base features plus the
derived ones (computed here from the base columns with the definitions of schemas/costa_rica.json); (a) a forest on
the four Target classes scoring P(1) + P(2); (b) a forest regression on the ordinal Target (1-4). Every variant:
scikit-learn forest, 300 trees, min leaf 8, sqrt features, balanced classes, threshold tuned on out-of-bag scores.
Usage: cv_variants.py FEATURES.csv REPEATS SEED   (the study in the README: 10 repeats, seed 101 → 50 folds)
"""
import sys, time
import numpy as np, pandas as pd
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold

path, repeats, seed0 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
df = pd.read_csv(path, dtype={"target": str, "eligible": int})
df = df[df["split"] != "test"].reset_index(drop=True)   # the test split is never read beyond this line
DERIVED = ("r_rooms_pp", "r_bedrooms_pp", "r_tamviv_per_room", "r_bedrooms_per_room", "r_mobile_pp", "r_tablet_pp",
           "r_adults_share", "r_children_share", "r_elderly_share", "r_children_per_adult", "r_rent_pp", "r_mobile_per_adult",
           "s_assets", "s_deficits")
df = df.drop(columns=[c for c in DERIVED if c in df.columns])   # recomputed below from the base columns
base = [c for c in df.columns if c not in ("household", "split", "target", "eligible")]

def derived(d):
    d = d.copy()
    v18q1 = d["v18q1"].fillna(0)
    def ratio(a, b):
        a = v18q1 if a == "v18q1" else d[a]
        r = a / d[b]
        r[(d[b] == 0) | d[b].isna()] = np.nan
        return r
    for name, a, b in [("r_rooms_pp", "rooms", "hogar_total"), ("r_bedrooms_pp", "bedrooms", "hogar_total"),
                       ("r_tamviv_per_room", "tamviv", "rooms"), ("r_bedrooms_per_room", "bedrooms", "rooms"),
                       ("r_mobile_pp", "qmobilephone", "hogar_total"), ("r_tablet_pp", "v18q1", "hogar_total"),
                       ("r_adults_share", "hogar_adul", "hogar_total"), ("r_children_share", "hogar_nin", "hogar_total"),
                       ("r_elderly_share", "hogar_mayor", "hogar_total"), ("r_children_per_adult", "hogar_nin", "hogar_adul"),
                       ("r_rent_pp", "v2a1", "hogar_total"), ("r_mobile_per_adult", "qmobilephone", "hogar_adul")]:
        d[name] = ratio(a, b)
    d["s_assets"] = d[["refrig", "computer", "television", "mobilephone", "v18q"]].fillna(0).sum(axis=1)
    d["s_deficits"] = d[["sanitario1", "noelec", "pisonotiene", "abastaguano", "pareddes"]].fillna(0).sum(axis=1)
    return d

dd = derived(df)
feats_d = base + list(DERIVED)
Xb = df[base].fillna(-1).to_numpy(np.float32)
Xd = dd[feats_d].fillna(-1).to_numpy(np.float32)
y = df["eligible"].to_numpy()
t4 = df["target"].astype(int).to_numpy()

def best_t(p, truth, grid):
    best = (-1, 0.5)
    for t in grid:
        f = f1_score(truth, (p >= t).astype(int), average="macro")
        if f > best[0] + 1e-12 or (abs(f - best[0]) <= 1e-12 and abs(t - 0.5) < abs(best[1] - 0.5)): best = (f, t)
    return best[1]
grid = np.arange(5, 96) / 100

def run(variant, X, tr, te, seed):
    if variant == "regr":
        # eligibility score = 4 - predicted ordinal, scaled to [0, 1]; sample weights balance the 4 classes
        w = pd.Series(t4[tr]).map(len(tr) / (4 * pd.Series(t4[tr]).value_counts())).to_numpy()
        m = RandomForestRegressor(n_estimators=300, min_samples_leaf=8, max_features="sqrt", oob_score=True, n_jobs=1, random_state=seed)
        m.fit(X[tr], t4[tr], sample_weight=w)
        oob = (4 - m.oob_prediction_) / 3
        p = (4 - m.predict(X[te])) / 3
    elif variant == "4class":
        m = RandomForestClassifier(n_estimators=300, min_samples_leaf=8, max_features="sqrt", class_weight="balanced",
                                   oob_score=True, n_jobs=1, random_state=seed)
        m.fit(X[tr], t4[tr])
        cols = [list(m.classes_).index(1), list(m.classes_).index(2)]
        oob = m.oob_decision_function_[:, cols].sum(axis=1)
        p = m.predict_proba(X[te])[:, cols].sum(axis=1)
    else:
        m = RandomForestClassifier(n_estimators=300, min_samples_leaf=8, max_features="sqrt", class_weight="balanced",
                                   oob_score=True, n_jobs=1, random_state=seed)
        m.fit(X[tr], y[tr])
        oob = m.oob_decision_function_[:, 1]
        p = m.predict_proba(X[te])[:, 1]
    ok = ~np.isnan(oob)
    t = best_t(oob[ok], y[tr][ok], grid)
    return f1_score(y[te], (p >= t).astype(int), average="macro"), roc_auc_score(y[te], p)

variants = [("base", "bin", Xb), ("derived", "bin", Xd), ("4class_base", "4class", Xb), ("4class_derived", "4class", Xd), ("regr_derived", "regr", Xd)]
res = {v[0]: [] for v in variants}
cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=repeats, random_state=seed0)
t0 = time.time()
for k, (tr, te) in enumerate(cv.split(Xb, t4)):
    for name, kind, X in variants:
        res[name].append(run(kind, X, tr, te, seed0 + k))
    if k % 5 == 4: print(f"fold {k+1}  {time.time()-t0:.0f}s", flush=True)
f1 = {k: np.array([r[0] for r in v]) for k, v in res.items()}
auc = {k: np.array([r[1] for r in v]) for k, v in res.items()}
print(f"households (non-test): {len(df)}; folds: {len(f1['base'])}")
for k in f1:
    print(f"{k:16s} macro-F1 {f1[k].mean():.4f}±{f1[k].std():.4f}  AUC {auc[k].mean():.4f}")
for ref in ("base", "derived"):
    for k in f1:
        if k == ref: continue
        d = f1[k] - f1[ref]; da = auc[k] - auc[ref]
        print(f"{k:16s} vs {ref:8s}: ΔF1 {d.mean():+.4f} (se {d.std(ddof=1)/np.sqrt(len(d)):.4f}, better in {(d>0).sum()}/{len(d)})  ΔAUC {da.mean():+.4f} (better in {(da>0).sum()}/{len(d)})")
