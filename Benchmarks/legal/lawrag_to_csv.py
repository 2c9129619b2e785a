"""Turns the lawrag_kk texts (unpacked from corpus_kaz_txt.tar.xz) into a passage CSV for `aqyl legal index`:
each text is cut at paragraph (else sentence, else word) boundaries into passages of about 1,800 characters
(the benchmark's median passage length). Usage: python lawrag_to_csv.py DIR OUT.csv"""
import csv
import hashlib
import os
import re
import sys

src, out = sys.argv[1], sys.argv[2]
TARGET = 1800
files = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(src) for f in fs if f.endswith(".txt"))
n = 0
with open(out, "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["passage_id", "act", "source", "language", "text"])
    for path in files:
        text = open(path, encoding="utf-8", errors="replace").read()
        paras = [re.sub(r"[ \t]+", " ", p).strip() for p in re.split(r"\n\s*\n|\n", text)]
        buf = ""
        k = 0
        def flush():
            global n
            nonlocal_buf = buf.strip()
            if nonlocal_buf:
                n += 1
                w.writerow([f"{os.path.basename(path)}#{k}", os.path.basename(path), "lawrag_kk", "kk", nonlocal_buf])
        for p in paras:
            if not p:
                continue
            while len(p) > TARGET:  # long paragraph: cut at a sentence end, else a space
                cut = max(p.rfind(". ", 0, TARGET), p.rfind(" ", 0, TARGET) if p.rfind(". ", 0, TARGET) < TARGET // 3 else -1)
                cut = cut + 1 if cut > 0 else TARGET
                if buf:
                    flush(); k += 1; buf = ""
                buf = p[:cut]
                flush(); k += 1; buf = ""
                p = p[cut:].strip()
            if len(buf) + len(p) + 1 > TARGET and buf:
                flush(); k += 1; buf = ""
            buf = (buf + "\n" + p) if buf else p
        flush()
print(f"{len(files)} texts -> {n} passages in {out}", file=sys.stderr)
