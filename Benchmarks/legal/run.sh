#!/usr/bin/env bash
# Legal retrieval benchmark (issue 18): ours beside plain BM25 on the same passages and questions, in one run.
#   1. bench/passages.csv indexed by `aqyl legal index` (BM25 only: E5 over 23k long passages takes hours on
#      two cores, see README.md), tuned on questions_dev.csv with two folds (`aqyl legal tune`, model card),
#      evaluated (`aqyl legal evaluate --json`) and searched (`aqyl legal search`);
#   2. rank_bm25's BM25Okapi on the same passages and questions, judged by the same rule (plain_bm25.py);
#   3. the Constitution of 2026 (Russian text) indexed with E5 vectors, a hand-written cross-lingual dev set, and
#      example answers (`aqyl legal ask`);
#   4. time to index the whole lawrag_kk corpus (unpacked into a temporary folder outside the repository).
# Usage: bash Benchmarks/legal/run.sh   (AQYL=path/to/aqyl to skip the build; SKIP_LAWRAG=1 to skip step 4)
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${LEGAL_DATA:-../shared/data/legal}
OUT=Benchmarks/legal/out
mkdir -p "$OUT"
[ -d "$DATA/bench" ] || { echo "run.sh: $DATA/bench not found (set LEGAL_DATA)" >&2; exit 1; }
bash scripts/install-e5.sh
if [ ! -x .venv-bench/bin/python ]; then python3 -m venv .venv-bench; fi
.venv-bench/bin/python -m pip install -q --disable-pip-version-check rank_bm25==0.2.2
if [ -z "${AQYL:-}" ]; then
  swift build -c release --product aqyl >&2
  AQYL=.build/release/aqyl
fi
T() { /usr/bin/time -f "%e s wall, %M KiB max RSS" "$@"; }
DEV=$DATA/kaz_legal_rag/questions_dev.csv

echo "== 1. ours on bench/passages.csv" >&2
T "$AQYL" legal index --passages "$DATA/bench/passages.csv" --dense none --out "$OUT/bench.idx"
T "$AQYL" legal tune --index "$OUT/bench.idx" --questions "$DEV" --refusal-set Tests/LegalTests/Fixtures/refusal_check.csv --card "$OUT/MODEL_CARD.md"
"$AQYL" legal evaluate --index "$OUT/bench.idx" --questions "$DEV" --json | tee "$OUT/ours.json"
"$AQYL" legal search --index "$OUT/bench.idx" --questions "$DEV" --top 10 --out "$OUT/results.jsonl"

echo "== 2. plain BM25 (rank_bm25) on the same passages" >&2
.venv-bench/bin/python Benchmarks/legal/plain_bm25.py "$DATA/bench/passages.csv" "$DEV" | tee "$OUT/plain.json"

echo "== 3. Constitution 2026 (Russian text only) with E5 vectors: cross-lingual dev set, example answers" >&2
# Russian articles only, so a Kazakh question can only be answered across languages. The refusal model of this
# index is fitted on constitution_dev.csv (hand-written dev questions: Kazakh questions with the Russian sentence
# that answers them, and Kazakh questions the Constitution does not answer), never on the refusal check set.
T "$AQYL" legal index --acts "$DATA/kz_constitution_2026" --languages ru --dense acts --out "$OUT/constitution-ru.idx"
T "$AQYL" legal tune --index "$OUT/constitution-ru.idx" --questions Benchmarks/legal/constitution_dev.csv \
  --refusal-set Tests/LegalTests/Fixtures/refusal_check.csv --card "$OUT/MODEL_CARD_constitution.md"
"$AQYL" legal evaluate --index "$OUT/constitution-ru.idx" --questions Benchmarks/legal/constitution_dev.csv --json | tee "$OUT/constitution.json"
C=$OUT/constitution-ru.idx
"$AQYL" legal ask --index "$C" --question "Қазақстанда өлім жазасына тыйым салынған ба?" --json | tee "$OUT/ask-kk-from-ru.json"
"$AQYL" legal ask --index "$C" --question "Как приготовить плов в казане?" --json | tee "$OUT/ask-refusal.json"
"$AQYL" legal ask --index "$C" --question "Какая национальная валюта Казахстана?" --as-of 2026-08-01 --json | tee "$OUT/ask-asof.json"
"$AQYL" legal ask --index "$C" --question "Какая национальная валюта Казахстана?" --as-of 2026-05-01 --json | tee "$OUT/ask-asof-before.json"

if [ -z "${SKIP_LAWRAG:-}" ]; then
  echo "== 4. indexing the whole lawrag_kk corpus" >&2
  TMP=$(mktemp -d /tmp/legal-lawrag.XXXXXX); trap 'rm -rf "$TMP"' EXIT
  T tar -xJf "$DATA/lawrag_kk/corpus_kaz_txt.tar.xz" -C "$TMP"
  du -sh "$TMP" >&2
  T .venv-bench/bin/python Benchmarks/legal/lawrag_to_csv.py "$TMP" "$TMP/lawrag.csv"
  T "$AQYL" legal index --passages "$TMP/lawrag.csv" --dense none --out "$TMP/lawrag.idx"
  ls -la "$TMP/lawrag.idx" >&2
fi
echo "== done: $OUT" >&2
