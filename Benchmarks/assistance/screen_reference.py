"""Reference for `aqyl assistance screen`: the same job in pandas + scikit-learn on the same files.

Reads the member-level training file and the registry (Aqyl's Kazakhstan layout), aggregates members to households
(count, mean/min/max of member columns, household columns from the head's row: the same features as Aqyl's),
trains scikit-learn's RandomForestClassifier with the same tree count and minimum leaf, and scores every registry
household; lists households with probability >= threshold and no application. Prints wall time and peak memory.
"""
import resource, sys, time
import numpy as np, pandas as pd
from sklearn.ensemble import RandomForestClassifier

train_path, registry_path, out_path, trees, threshold = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
MEMBER = ["age", "child", "pensioner", "disability", "disability_group", "employed", "unemployed", "student", "pregnant", "education_level"]
HOUSEHOLD = ["dwellings", "vehicles", "land_ha", "livestock_units", "rooms", "rented", "piped_water", "central_heating", "rural",
             "income_wages", "income_pension", "income_benefits", "income_other", "income_per_person"]

def households(path):
    df = pd.read_csv(path, usecols=["household_id", "district_kato", "head", "applied", "past_decision"] + MEMBER + HOUSEHOLD,
                     dtype={"household_id": str, "district_kato": str, "past_decision": str})
    g = df.groupby("household_id", sort=False)
    agg = g[MEMBER].agg(["mean", "min", "max"])
    agg.columns = [f"{c}_{a}" for c, a in agg.columns]
    agg.insert(0, "members", g.size())
    heads = df[df["head"] == 1].drop_duplicates("household_id").set_index("household_id")
    out = agg.join(heads[HOUSEHOLD + ["applied", "past_decision", "district_kato"]], how="inner")
    return out

t0 = time.time()
train = households(train_path)
features = [c for c in train.columns if c not in ("applied", "past_decision", "district_kato")]
rf = RandomForestClassifier(n_estimators=trees, min_samples_leaf=3, max_features="sqrt", class_weight="balanced",
                            n_jobs=2, random_state=42)
rf.fit(train[features].to_numpy(np.float32), (train["past_decision"] == "approved").to_numpy())
t1 = time.time()
reg = households(registry_path)
t2 = time.time()
p = rf.predict_proba(reg[features].to_numpy(np.float32))[:, 1]
t3 = time.time()
mask = (p >= threshold) & (reg["applied"].to_numpy() != 1)
pd.DataFrame({"household_id": reg.index[mask], "region": reg["district_kato"][mask], "probability": p[mask]}).to_csv(out_path, index=False)
t4 = time.time()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"reference (pandas {pd.__version__} + scikit-learn): train {t1-t0:.1f} s; screen {len(reg)} households in {t4-t1:.1f} s "
      f"(read+aggregate {t2-t1:.1f} s, predict {t3-t2:.1f} s, write {t4-t3:.1f} s); {int(mask.sum())} candidates; peak memory {peak:.0f} MB")
