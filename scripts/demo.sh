#!/usr/bin/env bash
# Builds Aqyl and starts the API on the embedded default: a SQLite file (./aqyl.sqlite) with synthetic demo data,
# listening on http://127.0.0.1:8080. Nothing else is needed: SQLite is compiled in. Extra arguments go to `aqyl serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product aqyl
exec .build/debug/aqyl serve --database "${AQYL_DATABASE:-sqlite:aqyl.sqlite}" "$@"
