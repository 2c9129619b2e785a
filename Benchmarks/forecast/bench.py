#!/usr/bin/env python3
"""Hotspot benchmark: `aqyl forecast` (naive, kde, sepp, auto) beside a Python reference (naive counts and
scikit-learn KernelDensity with its bandwidth chosen by GridSearchCV log-likelihood on the training incidents),
on the same data, grid, area and held-back period, in the same run.

Held back:
  Portland NIJ calls for service: train 2016-08-01 .. 2016-09-01, forecast 2016-09-02 .. 2016-09-15 (14 days).
  West Yorkshire police.uk: train July 2016, forecast July 2017 (31 days).
Nothing is tuned on the held-back periods: aqyl chooses its settings by rolling-origin (or split-half)
evaluation on the training window; the reference chooses its bandwidth by cross-validated likelihood on it.

The Python side reads the shipped schema files for the category mapping and row checks, builds the grid from
the forecast's model card (origin, cell, projection constants: the grid definition, not the method), computes
PAI/PEI* itself and also re-scores aqyl's own cells, so the metric code is checked in the same run.
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import time

import numpy as np
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KernelDensity

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

PORTLAND_CATEGORIES = ["ALL", "burglary", "theft.vehicle", "theft", "violence", "robbery", "damage", "public-order", "vice"]
WY_CATEGORIES = ["ALL", "anti-social", "violence", "damage", "theft.other", "burglary", "theft.vehicle", "public-order",
                 "theft.shoplifting", "other-crime", "drugs", "theft.person", "theft.bicycle", "robbery", "weapons"]
METHODS = ["naive", "kde", "sepp", "auto"]


def day_number(y, m, d):
    import datetime
    return (datetime.date(y, m, d) - datetime.date(1970, 1, 1)).days


def parse_date(s, fmt):
    """(first day, days) like the Swift intake; None when invalid."""
    import calendar
    try:
        if fmt == "YYYY-MM-DD":
            if len(s) != 10 or s[4] != "-" or s[7] != "-":
                return None
            return day_number(int(s[0:4]), int(s[5:7]), int(s[8:10])), 1
        if len(s) != 7 or s[4] != "-":
            return None
        y, m = int(s[0:4]), int(s[5:7])
        return day_number(y, m, 1), calendar.monthrange(y, m)[1]
    except ValueError:
        return None


def load(schema_path, files):
    schema = json.load(open(schema_path))
    c = schema["columns"]
    b = schema["coordinates"]["bounds"]
    discovered = set(schema.get("origin", {}).get("police_discovered", []))
    rows = []
    for path in files:
        with open(path, newline="", encoding="utf-8-sig") as f:
            for r in csv.DictReader(f):
                d = parse_date(r[c["date"]].strip(), schema["date"]["format"])
                if d is None:
                    continue
                try:
                    x, y = float(r[c["x"]]), float(r[c["y"]])
                except ValueError:
                    continue
                if not (math.isfinite(x) and math.isfinite(y)) or not (b["x_min"] <= x <= b["x_max"] and b["y_min"] <= y <= b["y_max"]):
                    continue
                cat = schema["categories"].get(r[c["category"]].strip())
                if cat is None:
                    continue
                origin = r.get(schema.get("origin", {}).get("column", ""), "")
                rows.append((d[0], d[0] + d[1], x, y, cat, origin.strip() in discovered))
    return schema, rows


def matches(code, query):
    return query.upper() == "ALL" or code == query or code.startswith(query + ".")


class Grid:
    """The forecast's grid from its model card (working plane: data units, or metres for lon/lat)."""

    def __init__(self, card):
        g = card["grid"]
        self.ox, self.oy, self.cell = g["origin_x"], g["origin_y"], g["cell_units"]
        self.cols, self.rows = g["columns"], g["rows"]
        self.proj = g.get("projection")
        # Working units: metres for lon/lat (projected), the data's unit otherwise.
        self.metres_per_unit = 1.0 if self.proj else g["cell_metres"] / g["cell_units"]

    def forward(self, x, y):
        if not self.proj:
            return x, y
        p = self.proj
        return ((x - p["lon0"]) * math.pi / 180 * p["metres_per_radian_lon"], (y - p["lat0"]) * math.pi / 180 * p["metres_per_radian_lat"])

    def inverse(self, x, y):
        if not self.proj:
            return x, y
        p = self.proj
        return (p["lon0"] + x / p["metres_per_radian_lon"] * 180 / math.pi, p["lat0"] + y / p["metres_per_radian_lat"] * 180 / math.pi)

    def key(self, x, y):
        px, py = self.forward(x, y)
        return (math.floor((px - self.ox) / self.cell + 1e-9), math.floor((py - self.oy) / self.cell + 1e-9))

    def area(self, key):
        """True area (m²) of a cell: planar for projected data, WGS84 small-rectangle formula for lon/lat."""
        i, j = key
        if not self.proj:
            return (self.cell * self.metres_per_unit) ** 2
        lon0, lat0 = self.inverse(self.ox + i * self.cell, self.oy + j * self.cell)
        lon1, lat1 = self.inverse(self.ox + (i + 1) * self.cell, self.oy + (j + 1) * self.cell)
        a, f = 6378137.0, 1 / 298.257223563
        e2 = f * (2 - f)
        lat = (lat0 + lat1) / 2
        s = math.sin(math.radians(lat))
        w = math.sqrt(1 - e2 * s * s)
        m, n = a * (1 - e2) / w ** 3, a / w
        return abs(lon1 - lon0) * math.pi / 180 * n * math.cos(math.radians(lat)) * abs(lat1 - lat0) * math.pi / 180 * m


def score(grid, chosen_keys, test_keys, study_area):
    """PAI = (n/N)/(a/A), PEI* = n/n* (NIJ), computed independently of the Swift code."""
    counts = {}
    for k in test_keys:
        counts[k] = counts.get(k, 0) + 1
    chosen = set(chosen_keys)
    n = sum(counts.get(k, 0) for k in chosen)
    N = len(test_keys)
    a = sum(grid.area(k) for k in chosen)
    n_star = sum(sorted(counts.values(), reverse=True)[:len(chosen)])
    pai = (n / N) / (a / study_area) if N and a else None
    pei = n / n_star if n_star else None
    return {"pai": pai, "pei": pei, "n": n, "N": N, "n_star": n_star, "area": a}


def top_cells(grid, scores, area_limit):
    """Cells by score (ties: lower row-major index) while the total true area stays within the limit."""
    order = np.lexsort((np.arange(scores.size), -scores))
    out, total = [], 0.0
    for idx in order:
        k = (int(idx % grid.cols), int(idx // grid.cols))
        a = grid.area(k)
        if total + a > area_limit * (1 + 1e-12):
            break
        total += a
        out.append(k)
    return out


def reference(grid, train, test_keys, area_limit, study_area, bandwidths_m, seed=1):
    """Naive counts and scikit-learn KDE (bandwidth by 5-fold GridSearchCV log-likelihood on the training points)."""
    xy = np.array([grid.forward(r[2], r[3]) for r in train])
    ix = np.floor((xy[:, 0] - grid.ox) / grid.cell).astype(int)
    iy = np.floor((xy[:, 1] - grid.oy) / grid.cell).astype(int)
    counts = np.zeros(grid.cols * grid.rows)
    np.add.at(counts, iy * grid.cols + ix, 1)
    naive = top_cells(grid, counts, area_limit)
    hs = [h / grid.metres_per_unit for h in bandwidths_m]
    t0 = time.perf_counter()
    if len(xy) >= 10:
        search = GridSearchCV(KernelDensity(kernel="gaussian"), {"bandwidth": hs}, cv=5)
        search.fit(xy)
        h = search.best_params_["bandwidth"]
    else:
        h = hs[len(hs) // 2]
    t_select = time.perf_counter() - t0
    t0 = time.perf_counter()
    kde = KernelDensity(kernel="gaussian", bandwidth=h, rtol=1e-6).fit(xy)
    cx = grid.ox + (np.arange(grid.cols) + 0.5) * grid.cell
    cy = grid.oy + (np.arange(grid.rows) + 0.5) * grid.cell
    centres = np.array([(x, y) for y in cy for x in cx])
    density = np.exp(kde.score_samples(centres))
    kde_cells = top_cells(grid, density, area_limit)
    t_forecast = time.perf_counter() - t0
    return {
        "naive": score(grid, naive, test_keys, study_area),
        "kde": score(grid, kde_cells, test_keys, study_area),
        "kde_bandwidth_m": h * grid.metres_per_unit,
        "kde_seconds_select": t_select,
        "kde_seconds_forecast": t_forecast,
    }


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr}")
    return p


def read_cells(path, grid):
    keys = []
    with open(path) as f:
        for r in csv.DictReader(f):
            x = (float(r["x_min"]) + float(r["x_max"])) / 2
            y = (float(r["y_min"]) + float(r["y_max"])) / 2
            keys.append(grid.key(x, y))
    return keys


def benchmark(aqyl, name, fmt, train_files, test_files, categories, start, days, cell, area, eval_window, out):
    schema_path = os.path.join(ROOT, "schemas", f"forecast-{fmt}.json")
    _, rows = load(schema_path, train_files)
    _, test_rows = load(schema_path, test_files)
    start_day = parse_date(start, "YYYY-MM-DD")[0]
    train_all = [r for r in rows if r[1] <= start_day]
    if eval_window:
        test_rows = [r for r in test_rows if start_day <= r[0] < start_day + days]
    results = []
    for cat in categories:
        entry = {"data": name, "category": cat, "aqyl": {}, "check": {}}
        for m in METHODS:
            cells = os.path.join(out, f"{name}-{cat}-{m}.csv")
            cmd = [aqyl, "forecast", "hotspots", "--data", ",".join(train_files), "--format", fmt, "--category", cat,
                   "--from", start, "--days", str(days), "--cell", str(cell), "--area", str(area), "--out", cells, "--method", m]
            t0 = time.perf_counter()
            run(cmd)
            wall = time.perf_counter() - t0
            ev = ["--from", start, "--days", str(days)] if eval_window else []
            r = json.loads(run([aqyl, "forecast", "evaluate", "--cells", cells, "--data", ",".join(test_files), "--format", fmt,
                                "--category", cat, "--json"] + ev).stdout)
            card = json.load(open(cells[:-4] + ".card.json"))
            r["method"] = card["method"]
            r["seconds"] = card["timing"]
            r["wall_seconds"] = wall
            r["held_back_mean_pai"] = (card["held_back"]["chosen"] or {}).get("mean_pai")
            entry["aqyl"][m] = r
            if m == "auto":
                grid = Grid(card)
                study_area = card["study_area"]["square_metres"]
                train = [t for t in train_all if matches(t[4], cat)]
                test_keys = [grid.key(t[2], t[3]) for t in test_rows if matches(t[4], cat)]
                # The study area recomputed from the training incidents must be the card's.
                active = {grid.key(t[2], t[3]) for t in train_all}
                py_area = sum(grid.area(k) for k in active)
                entry["check"]["study_area_relative_difference"] = abs(py_area - study_area) / study_area
                bandwidths = [c * cell for c in (0.25, 0.5, 1, 2, 4)]
                entry["python"] = reference(grid, train, test_keys, area, study_area, bandwidths)
                entry["N"] = len(test_keys)
            # Re-score aqyl's own cells in Python.
            grid_m = Grid(card)
            test_keys_m = [grid_m.key(t[2], t[3]) for t in test_rows if matches(t[4], cat)]
            mine = score(grid_m, read_cells(cells, grid_m), test_keys_m, card["study_area"]["square_metres"])
            diff = max(abs((mine["pai"] or 0) - (r["pai"] or 0)), abs((mine["pei"] or 0) - (r["pei"] or 0)) * 100)
            entry["check"][f"metric_difference_{m}"] = diff
        results.append(entry)
        a = entry["aqyl"]
        print(f"{name:9s} {cat:18s} N={entry['N']:5d}  naive {a['naive']['pai']:6.2f}  kde {a['kde']['pai']:6.2f}  "
              f"sepp {a['sepp']['pai']:6.2f}  auto {a['auto']['pai']:6.2f} [{a['auto']['method']}]  "
              f"py-naive {entry['python']['naive']['pai'] or 0:6.2f}  py-kde {entry['python']['kde']['pai'] or 0:6.2f}",
              flush=True)
    return results


def timing(aqyl, out, data, fmt, start, days, cell, area, label):
    rows = []
    for m in ["naive", "kde", "sepp", "auto"]:
        cells = os.path.join(out, f"timing-{label}-{m}.csv")
        t0 = time.perf_counter()
        run([aqyl, "forecast", "hotspots", "--data", data, "--format", fmt, "--category", "ALL", "--from", start,
             "--days", str(days), "--cell", str(cell), "--area", str(area), "--out", cells, "--method", m, "--threads", "2"])
        wall = time.perf_counter() - t0
        card = json.load(open(cells[:-4] + ".card.json"))
        rows.append({"label": label, "method": m, "chosen": card["method"], "incidents": card["data_window"]["incidents_all"],
                     "wall": wall, **card["timing"]})
        # The chosen configuration alone (no selection): the forecast itself.
        spec = card["method_spec"]
        if m in ("kde", "sepp"):
            cmd = [aqyl, "forecast", "hotspots", "--data", data, "--format", fmt, "--category", "ALL", "--from", start,
                   "--days", str(days), "--cell", str(cell), "--area", str(area), "--out", cells, "--method", m,
                   "--threads", "2", "--bandwidth", str(spec["bandwidth_metres"])]
            if m == "kde" and spec.get("half_life_days"):
                cmd += ["--half-life", str(spec["half_life_days"])]
            if m == "kde" and spec.get("point_mass"):
                cmd += ["--point-mass", str(spec["point_mass"])]
            t0 = time.perf_counter()
            run(cmd)
            wall = time.perf_counter() - t0
            card = json.load(open(cells[:-4] + ".card.json"))
            rows.append({"label": label, "method": m + " (fixed)", "chosen": card["method"],
                         "incidents": card["data_window"]["incidents_all"], "wall": wall, **card["timing"]})
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aqyl", required=True)
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "crime"))
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--quick", action="store_true", help="two categories per data set, no timing (a smoke test)")
    args = ap.parse_args()
    global PORTLAND_CATEGORIES, WY_CATEGORIES
    if args.quick:
        PORTLAND_CATEGORIES, WY_CATEGORIES = PORTLAND_CATEGORIES[:2], WY_CATEGORIES[-2:]
    os.makedirs(args.out, exist_ok=True)
    crime = os.path.abspath(args.data)
    portland = os.path.join(crime, "portland_nij", "calls_2016-08-01_2016-09-15.csv")
    wy16 = os.path.join(crime, "uk_west_yorkshire", "2016-07-west-yorkshire-street.csv")
    wy17 = os.path.join(crime, "uk_west_yorkshire", "2017-07-west-yorkshire-street.csv")
    results = []
    results += benchmark(args.aqyl, "portland", "portland-nij", [portland], [portland], PORTLAND_CATEGORIES,
                         "2016-09-02", 14, 183, 1942491, True, args.out)
    results += benchmark(args.aqyl, "wy", "police-uk", [wy16, wy17], [wy17], WY_CATEGORIES,
                         "2017-07-01", 31, 250, 5000000, False, args.out)
    if args.quick:
        table(results, [], {"incidents": 0, "select": 0, "forecast": 0})
        return
    times = timing(args.aqyl, args.out, f"{wy16},{wy17}", "police-uk", "2017-08-01", 31, 250, 5000000, "wy-2016+2017")
    times += timing(args.aqyl, args.out, portland, "portland-nij", "2016-09-16", 14, 183, 1942491, "portland-all")
    # Python KDE timing on the same ~50k incidents (West Yorkshire, both months).
    schema_path = os.path.join(ROOT, "schemas", "forecast-police-uk.json")
    _, rows = load(schema_path, [wy16, wy17])
    card = json.load(open(os.path.join(args.out, "timing-wy-2016+2017-auto.card.json")))
    grid = Grid(card)
    ref = reference(grid, rows, [], 5000000, card["study_area"]["square_metres"], [c * 250 for c in (0.25, 0.5, 1, 2, 4)])
    py_time = {"incidents": len(rows), "select": ref["kde_seconds_select"], "forecast": ref["kde_seconds_forecast"]}
    json.dump({"results": results, "timing": times, "python_timing": py_time}, open(os.path.join(args.out, "results.json"), "w"), indent=1)
    table(results, times, py_time)


def table(results, times, py_time):
    def f(v, d=2):
        return "–" if v is None else f"{v:.{d}f}"
    print("\n| data | category | N | naive PAI / PEI* | kde | sepp | auto (chosen) | auto ÷ naive | py naive | py sklearn KDE (h) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    ratios = {}
    for e in results:
        a, p = e["aqyl"], e["python"]
        ratio = (a["auto"]["pai"] / a["naive"]["pai"]) if a["naive"]["pai"] else None
        ratios.setdefault(e["data"], []).append(ratio)
        cell = lambda r: f"{f(r['pai'])} / {f(r['pei'], 3)}"
        print(f"| {e['data']} | {e['category']} | {e['N']} | {cell(a['naive'])} | {cell(a['kde'])} | {cell(a['sepp'])} | "
              f"{cell(a['auto'])} ({a['auto']['method']}) | {f(ratio)} | {cell(p['naive'])} | {cell(p['kde'])} ({p['kde_bandwidth_m']:.0f} m) |")
    for d, r in ratios.items():
        v = [x for x in r if x is not None]
        print(f"\n{d}: auto ÷ naive PAI, mean over {len(v)} categories {np.mean(v):.3f}; above naive in {sum(x > 1 for x in v)}, "
              f"equal in {sum(x == 1 for x in v)}, below in {sum(x < 1 for x in v)}")
    worst = max(max(v for k, v in e["check"].items() if k.startswith("metric")) for e in results)
    area = max(e["check"]["study_area_relative_difference"] for e in results)
    print(f"\nchecks: largest |PAI| (and 100×|PEI*|) difference between aqyl evaluate and the Python re-score of the same cells: {worst:.2e}; "
          f"study area A recomputed in Python vs the card: {area:.2e} relative")
    print("\n| timing data | method | incidents | prepare s | selection s | forecast s | total s | process wall s |")
    print("|---|---|---|---|---|---|---|---|")
    for t in times:
        print(f"| {t['label']} | {t['method']} → {t['chosen']} | {t['incidents']} | {t['prepare']:.3f} | {t['selection']:.3f} | "
              f"{t['forecast']:.3f} | {t['total']:.3f} | {t['wall']:.2f} |")
    print(f"\nPython sklearn KDE on {py_time['incidents']} incidents: bandwidth search {py_time['select']:.2f} s, "
          f"fit + score every cell {py_time['forecast']:.2f} s")


if __name__ == "__main__":
    main()
