#!/usr/bin/env bash
# The whole test suite: starts PostgreSQL 15 on 127.0.0.1 (installing it from Debian when missing) so the store
# tests run on both databases, validates the OpenAPI contract, then runs every Swift test.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/postgres.sh)"
echo "test.sh: PostgreSQL at ${AQYL_TEST_POSTGRES_URL%%@*}@… ready" >&2
bash scripts/check-openapi.sh
swift build --build-tests
swift test
