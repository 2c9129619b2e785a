"""Plain BM25 reference for the legal benchmark: rank_bm25's BM25Okapi (k1 1.5, b 0.75, its defaults) over
lower-cased letter/digit runs ([^\\W_]+), no stemming, no stop words, on the same passages and questions as
`aqyl legal evaluate`, judged by the same rule (bench/README.md: unigram recall of the gold evidence >= 0.5).
Usage: python plain_bm25.py PASSAGES.csv QUESTIONS.csv > plain.json"""
import collections
import csv
import json
import re
import sys
import time

from rank_bm25 import BM25Okapi

csv.field_size_limit(10**9)
TOK = re.compile(r"[^\W_]+")


def tokens(t):
    return TOK.findall(t.lower())


passages = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
questions = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
t0 = time.time()
docs = [tokens(p["text"]) for p in passages]
bm = BM25Okapi(docs)
bags = [collections.Counter(d) for d in docs]
index_s = time.time() - t0


def hit(gold, i):
    total = sum(gold.values())
    b = bags[i]
    return total > 0 and sum(min(c, b.get(t, 0)) for t, c in gold.items()) >= 0.5 * total


h1 = mrr = r5 = 0.0
n = 0
times = []
for q in questions:
    if q["answerability"] != "answerable":
        continue
    n += 1
    gold = collections.Counter(tokens(q["gold_evidence"]))
    t = time.time()
    scores = bm.get_scores(tokens(q["question"]))
    top = sorted(range(len(scores)), key=lambda i: -scores[i])[:10]
    times.append((time.time() - t) * 1000)
    for r, i in enumerate(top):
        if hit(gold, i):
            h1 += r == 0
            mrr += 1 / (r + 1)
            r5 += r < 5
            break
times.sort()
print(json.dumps({"system": "rank_bm25 BM25Okapi (k1 1.5, b 0.75), no stemming", "answerable": n, "hit_at_1": h1 / n,
                  "mrr_at_10": mrr / n, "recall_at_5": r5 / n, "index_seconds": round(index_s, 1),
                  "median_ms": round(times[len(times) // 2], 1)}, indent=1))
