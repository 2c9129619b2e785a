#!/usr/bin/env bash
# The API contract is the truth: starts a demo server on a fresh SQLite file, signs in as the demo admin and runs
# schemathesis (PyPI, pinned, in .venv-tools) with every check against the served openapi.yaml. Any failure fails.
# Usage: bash scripts/schemathesis.sh [extra schemathesis options]   (AQYL_BIN: the aqyl binary to test)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/check-openapi.sh >/dev/null
.venv-tools/bin/python -m pip install -q --disable-pip-version-check schemathesis==4.32.5 >&2
. scripts/lib/demo-server.sh
# Where openapi.yaml documents a 422 (the request fits the schema, but a rule it cannot express refuses it: an unknown
# region, an IIN check digit, a reason required to disagree, ...), a schema-valid request may be answered 422; on the
# Open311 routes, which follow GeoReport v2's single refusal status, 400 (`x-aqyl-refusal-status`). Nowhere else is a
# 400 expected for schema-valid data. The per-operation settings are made from the document itself.
.venv-tools/bin/python - "$WORK/schemathesis.toml" <<'PY'
import sys, yaml
doc = yaml.safe_load(open("Sources/AqylServer/Resources/openapi.yaml"))
with open(sys.argv[1], "w") as out:
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            name = f"{method.upper()} {path}"
            lines = []
            refusal = str(op.get("x-aqyl-refusal-status", 422 if "422" in op.get("responses", {}) else ""))
            if refusal:
                lines.append('checks.positive_data_acceptance.expected-statuses = '
                             f'["2xx", "3xx", "401", "403", "404", "409", "{refusal}", "429", "5xx"]')
            if lines:
                out.write(f'[[operations]]\ninclude-name = "{name}"\n' + "\n".join(lines) + "\n\n")
PY
echo "schemathesis.sh: testing $BASE against its /openapi.yaml (--checks all, admin token)" >&2
.venv-tools/bin/schemathesis --config-file "$WORK/schemathesis.toml" run "$BASE/openapi.yaml" --checks all -H "Authorization: Bearer $TOKEN" \
  --no-color --seed "${SCHEMATHESIS_SEED:-20261201}" "$@"
