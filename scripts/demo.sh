#!/usr/bin/env bash
# Builds Aqyl and starts the API on the embedded default: a SQLite file (./aqyl.sqlite) with synthetic demo data,
# listening on http://127.0.0.1:8080. Nothing else is needed: SQLite is compiled in. Extra arguments go to `aqyl serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product aqyl
# Legal questions are answered from the Constitution in ../shared/data when it is beside the checkout (AQYL_LEGAL_INDEX
# names another index; without any, POST /v1/legal/questions answers 503).
if [ -z "${AQYL_LEGAL_INDEX:-}" ] && [ -d ../shared/data/legal/kz_constitution_2026 ]; then
  mkdir -p .demo
  .build/debug/aqyl legal index --acts ../shared/data/legal/kz_constitution_2026 --dense none --out .demo/legal.idx >/dev/null 2>&1 \
    && export AQYL_LEGAL_INDEX=.demo/legal.idx
fi
exec .build/debug/aqyl serve --database "${AQYL_DATABASE:-sqlite:aqyl.sqlite}" "$@"
