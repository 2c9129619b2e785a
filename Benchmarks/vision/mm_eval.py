#!/usr/bin/env python3
"""Evaluate MOTChallenge result files with py-motmetrics (reference evaluator).

Usage: mm_eval.py [--solver scipy|lap] [--min-gt-conf C] [--json] NAME GT RESULT [NAME GT RESULT ...]
Prints per-sequence metrics and an OVERALL row (mh.compute_many(..., generate_overall=True)).
GT is loaded exactly like the py-motmetrics docs do: mm.io.loadtxt(gt, fmt='mot15-2D'), whose
default min_confidence=-1 keeps rows with conf 0 (pass --min-gt-conf 1 to drop them).
"""
import json
import sys

import numpy as np

# motmetrics 1.4.0 still calls np.asfarray, removed in NumPy 2.0: restore it (same semantics).
if not hasattr(np, "asfarray"):
    np.asfarray = lambda a, dtype=np.float64: np.asarray(a, dtype=dtype)

import motmetrics as mm  # noqa: E402

METRICS = ["num_frames", "mota", "motp", "idf1", "idp", "idr", "precision", "recall",
           "num_false_positives", "num_misses", "num_switches", "num_fragmentations",
           "num_objects", "num_predictions", "num_detections", "idtp", "idfp", "idfn"]


def main(argv):
    solver = "scipy"
    min_conf = -1.0
    as_json = False
    args = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--solver":
            solver = argv[i + 1]; i += 2
        elif a == "--min-gt-conf":
            min_conf = float(argv[i + 1]); i += 2
        elif a == "--json":
            as_json = True; i += 1
        else:
            args.append(a); i += 1
    if len(args) == 0 or len(args) % 3 != 0:
        print(__doc__, file=sys.stderr)
        return 2
    accs, names = [], []
    with mm.lap.set_default_solver(solver):
        for k in range(0, len(args), 3):
            name, gtf, resf = args[k:k + 3]
            gt = mm.io.loadtxt(gtf, fmt="mot15-2D", min_confidence=min_conf)
            ts = mm.io.loadtxt(resf, fmt="mot15-2D")
            accs.append(mm.utils.compare_to_groundtruth(gt, ts, "iou", distth=0.5))
            names.append(name)
        mh = mm.metrics.create()
        summary = mh.compute_many(accs, metrics=METRICS, names=names,
                                  generate_overall=len(accs) > 1)
    if as_json:
        out = {}
        for name, row in summary.iterrows():
            out[name] = {m: float(row[m]) for m in METRICS}
        print(json.dumps(out, indent=1))
    else:
        print(mm.io.render_summary(summary, formatters=mh.formatters,
                                   namemap=mm.io.motchallenge_metric_names))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
