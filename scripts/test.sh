#!/usr/bin/env bash
# The whole test suite: starts PostgreSQL 15 on 127.0.0.1 (installing it from Debian when missing) so the store
# tests run on both databases, validates the OpenAPI contract, installs the triage word vectors, runs every Swift test,
# then checks the running API against its contract with schemathesis (every check, a demo server, an admin token).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/postgres.sh)"
echo "test.sh: PostgreSQL at ${AQYL_TEST_POSTGRES_URL%%@*}@… ready" >&2
bash scripts/check-openapi.sh
bash scripts/install-embeddings.sh   # navec word vectors for the triage tests (PyPI); tests skip the real-vector check without them
swift build --build-tests
swift test
bash scripts/schemathesis.sh --max-examples "${SCHEMATHESIS_EXAMPLES:-40}"
bash scripts/open311-clients.sh
