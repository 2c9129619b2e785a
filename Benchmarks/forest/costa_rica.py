"""Prepare the Costa Rica household data: heads of household only, binary target, fixed stratified split."""
import csv, os, sys
from sklearn.model_selection import train_test_split

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
with open(src, newline="") as f:
    reader = csv.DictReader(f)
    rows = [r for r in reader if r["parentesco1"] == "1"]
    fields = reader.fieldnames
features = [c for c in fields if c not in ("Id", "idhogar", "Target")]
yesno = {"yes": "1", "no": "0"}
X = [[yesno.get(r[c], r[c]) for c in features] for r in rows]
y = ["1" if r["Target"] in ("1", "2") else "0" for r in rows]
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=42, stratify=y)
for name, A, b in (("train", Xtr, ytr), ("test", Xte, yte)):
    with open(os.path.join(out, f"{name}.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(features + ["label"])
        for row, lab in zip(A, b):
            w.writerow(row + [lab])
print(f"heads of household: {len(rows)}, features: {len(features)}, positives: {y.count('1')}, "
      f"train {len(ytr)}, test {len(yte)}", file=sys.stderr)
