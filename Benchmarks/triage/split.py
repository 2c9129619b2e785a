"""Seeded 80/20 split of train.csv for tuning (val.csv is never used for tuning)."""
import csv, random, sys
src, a, b = sys.argv[1], sys.argv[2], sys.argv[3]
with open(src, newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
random.Random(2026).shuffle(body)
cut = int(len(body) * 0.8)
for path, part in ((a, body[:cut]), (b, body[cut:])):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(part)
print(f"{len(body[:cut])} / {len(body[cut:])} rows", file=sys.stderr)
