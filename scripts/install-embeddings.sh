#!/usr/bin/env bash
# Installs the Russian word vectors used by the triage model: navec "news v1" (250k words, 300 dimensions,
# product-quantised; Alexander Kukushkin, MIT licence), as shipped inside the PyPI wheel of `natasha` 1.6.0.
# Writes .embeddings/navec_news_v1_1B_250K_300d_100q/{meta.json,vocab.txt,pq.bin,SOURCE} (ignored by git).
# Idempotent: does nothing when the files are already there. Needs python3 and PyPI (no other download).
set -euo pipefail
cd "$(dirname "$0")/.."
ID=navec_news_v1_1B_250K_300d_100q
DIR=.embeddings/$ID
if [ -s "$DIR/pq.bin" ] && [ -s "$DIR/vocab.txt" ] && [ -s "$DIR/meta.json" ]; then exit 0; fi
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  echo "install-embeddings.sh: installing python3-venv from Debian" >&2
  $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3 python3-venv >&2
fi
if [ ! -x .venv-tools/bin/python ]; then python3 -m venv .venv-tools; fi
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
echo "install-embeddings.sh: fetching natasha==1.6.0 from PyPI for $ID" >&2
.venv-tools/bin/python -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
  natasha==1.6.0 -d "$TMP" >&2
mkdir -p "$DIR.partial"
.venv-tools/bin/python - "$TMP" "$DIR.partial" "$ID" <<'PYEOF'
import glob, gzip, io, json, os, struct, sys, tarfile, zipfile, hashlib
src, out, ident = sys.argv[1], sys.argv[2], sys.argv[3]
wheel = glob.glob(os.path.join(src, "natasha-1.6.0-*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    blob = z.read(f"natasha/data/emb/{ident}.tar")
with tarfile.open(fileobj=io.BytesIO(blob)) as t:
    meta = t.extractfile("meta.json").read()
    vocab = gzip.decompress(t.extractfile("vocab.bin").read())
    pq = t.extractfile("pq.bin").read()
n = struct.unpack_from("<I", vocab, 0)[0]
words = vocab[4 + 4 * n:].decode("utf-8").split("\n")
assert len(words) == n, (len(words), n)
vectors, dim, qdim, centroids = struct.unpack_from("<4I", pq, 0)
assert vectors == n and dim == 300 and qdim == 100 and centroids == 256
assert len(pq) == 16 + vectors * qdim + qdim * centroids * (dim // qdim) * 4, len(pq)
assert all("\n" not in w for w in words)
with open(os.path.join(out, "vocab.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(words) + "\n")
with open(os.path.join(out, "pq.bin"), "wb") as f:
    f.write(pq)
with open(os.path.join(out, "meta.json"), "wb") as f:
    f.write(meta)
with open(os.path.join(out, "SOURCE"), "w") as f:
    f.write(f"navec {ident} (MIT licence, github.com/natasha/navec), from the PyPI wheel {os.path.basename(wheel)}\n"
            f"wheel sha256 {hashlib.sha256(open(wheel, 'rb').read()).hexdigest()}\n"
            f"pq.bin sha256 {hashlib.sha256(pq).hexdigest()}\n")
print(f"install-embeddings.sh: {n} words x {dim} dimensions", file=sys.stderr)
PYEOF
rm -rf "$DIR" && mv "$DIR.partial" "$DIR"
echo "install-embeddings.sh: installed $DIR" >&2
