"""Generate the 250,000 x 40 binary problem (fixed seed), 80/20 split, written as CSV."""
import os, sys
import numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
X, y = make_classification(n_samples=250_000, n_features=40, n_informative=20, n_redundant=10,
                           n_classes=2, flip_y=0.02, class_sep=1.0, random_state=42)
X = X.astype(np.float32)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=42, stratify=y)
header = ",".join([f"f{i}" for i in range(40)] + ["y"])
for name, A, b in (("train", Xtr, ytr), ("test", Xte, yte)):
    np.savetxt(os.path.join(out, f"{name}.csv"), np.column_stack([A, b]), delimiter=",", header=header,
               comments="", fmt=["%.7g"] * 40 + ["%d"])
