#!/usr/bin/env python3
"""Prints the benchmark table from the files reference/run.sh writes into OUT_DIR."""
import json
import os
import sys

out, seqs = sys.argv[1], sys.argv[2:]
load = lambda *p: json.load(open(os.path.join(out, *p)))
mm_sort, mm_ours = load("sort", "motmetrics.json"), load("ours", "motmetrics.json")
KEYS = ["num_misses", "num_false_positives", "num_switches", "num_objects", "idtp", "idfp", "idfn",
        "num_fragmentations", "num_predictions", "num_detections", "motp"]


def ours_eval(kind):
    per = {s: load(kind, s + ".eval.json") for s in seqs}
    tot = {k: sum(per[s][k] for s in seqs) for k in KEYS if k != "motp"}
    tot["mota"] = 1 - (tot["num_misses"] + tot["num_false_positives"] + tot["num_switches"]) / tot["num_objects"]
    tot["idf1"] = 2 * tot["idtp"] / (2 * tot["idtp"] + tot["idfp"] + tot["idfn"])
    tot["motp"] = sum(per[s]["motp"] * per[s]["num_detections"] for s in seqs) / tot["num_detections"]
    per["OVERALL"] = tot
    return per


ev_ours, ev_sort = ours_eval("ours"), ours_eval("sort")
bench = {s: load("ours", s + ".bench.json") for s in seqs}
hdr = ("%-15s %7s | %-13s | %-13s | %-13s | %5s %5s %5s %4s | %8s" %
       ("sequence", "frames", "SORT MOTA/IDF1", "ours (py-mm)", "ours (own ev)", "FP", "FN", "IDs", "FM", "ours f/s"))
print("MOTA / IDF1 in %; py-mm = py-motmetrics 1.4.0 (mot15-2D, iou 0.5); own ev = aqyl vision evaluate")
print(hdr)
print("-" * len(hdr))
maxdiff = 0.0
tot_frames = tot_secs = 0
for s in seqs + ["OVERALL"]:
    a, b, c = mm_sort[s], mm_ours[s], ev_ours[s]
    for k in ("mota", "idf1", "motp"):
        maxdiff = max(maxdiff, abs(b[k] - c[k]), abs(mm_sort[s][k] - ev_sort[s][k]))
    if s in bench:
        fps = bench[s]["frames_per_second"]
        tot_frames += bench[s]["frames"] * bench[s]["repeat"]
        tot_secs += bench[s]["seconds"]
    else:
        fps = tot_frames / tot_secs
    print("%-15s %7d | %5.1f / %5.1f | %5.1f / %5.1f | %5.1f / %5.1f | %5d %5d %5d %4d | %8.0f" % (
        s, b["num_frames"], 100 * a["mota"], 100 * a["idf1"], 100 * b["mota"], 100 * b["idf1"],
        100 * c["mota"], 100 * c["idf1"], b["num_false_positives"], b["num_misses"], b["num_switches"],
        b["num_fragmentations"], fps))
print("SORT overall (py-mm): MOTA %.4f IDF1 %.4f | ours overall (py-mm): MOTA %.4f IDF1 %.4f" % (
    mm_sort["OVERALL"]["mota"], mm_sort["OVERALL"]["idf1"], mm_ours["OVERALL"]["mota"], mm_ours["OVERALL"]["idf1"]))
c1s, c1o = os.path.join(out, "sort", "motmetrics_conf1.json"), os.path.join(out, "ours", "motmetrics_conf1.json")
if os.path.exists(c1s) and os.path.exists(c1o):
    a, b = json.load(open(c1s))["OVERALL"], json.load(open(c1o))["OVERALL"]
    print("variant, gt conf-0 rows dropped (min_confidence=1): SORT MOTA %.4f IDF1 %.4f | ours MOTA %.4f IDF1 %.4f" % (
        a["mota"], a["idf1"], b["mota"], b["idf1"]))
print("max |py-motmetrics - own evaluator| over MOTA/IDF1/MOTP (both trackers, all rows): %.2e" % maxdiff)
td = os.path.join(out, "testdata.motmetrics.json")
if os.path.exists(td):
    ref = json.load(open(td))
    for s in ("TUD-Campus", "TUD-Stadtmitte"):
        own = load("testdata-%s.eval.json" % s)
        print("motmetrics testdata %-14s MOTA py-mm %.4f own %.4f | IDF1 py-mm %.4f own %.4f" % (
            s, ref[s]["mota"], own["mota"], ref[s]["idf1"], own["idf1"]))
