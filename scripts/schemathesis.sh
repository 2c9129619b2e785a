#!/usr/bin/env bash
# The API contract is the truth: starts a demo server on a fresh SQLite file, signs in as the demo admin and runs
# schemathesis (PyPI, pinned, in .venv-tools) with every check against the served openapi.yaml. Any failure fails.
# Usage: bash scripts/schemathesis.sh [extra schemathesis options]   (AQYL_BIN: the aqyl binary to test)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/check-openapi.sh >/dev/null
.venv-tools/bin/python -m pip install -q --disable-pip-version-check schemathesis==4.32.5 >&2
BIN=${AQYL_BIN:-.build/debug/aqyl}
[ -x "$BIN" ] || swift build --product aqyl >&2
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$BIN" serve --database "sqlite:$WORK/aqyl.sqlite" --port "$PORT" >"$WORK/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break
  kill -0 $PID 2>/dev/null || { cat "$WORK/server.log" >&2; echo "schemathesis.sh: the server did not start" >&2; exit 1; }
  sleep 0.5
done
TOKEN=$(curl -sf -X POST "http://127.0.0.1:$PORT/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"aqyl-demo-2026"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
# Where openapi.yaml documents a 422 (the request fits the schema, a rule it cannot express refuses it: an unknown
# region, an IIN check digit, a reason required to disagree, ...), a schema-valid request may be answered 422; a 400
# is never expected for schema-valid data. The per-operation settings are made from the document itself.
.venv-tools/bin/python - "$WORK/schemathesis.toml" <<'PY'
import sys, yaml
doc = yaml.safe_load(open("Sources/AqylServer/Resources/openapi.yaml"))
with open(sys.argv[1], "w") as out:
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if "422" in op.get("responses", {}):
                out.write(f'[[operations]]\ninclude-name = "{method.upper()} {path}"\n'
                          'checks.positive_data_acceptance.expected-statuses = '
                          '["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]\n\n')
PY
echo "schemathesis.sh: testing http://127.0.0.1:$PORT against its /openapi.yaml (--checks all, admin token)" >&2
.venv-tools/bin/schemathesis --config-file "$WORK/schemathesis.toml" run "http://127.0.0.1:$PORT/openapi.yaml" --checks all -H "Authorization: Bearer $TOKEN" \
  --no-color --seed "${SCHEMATHESIS_SEED:-20261201}" "$@"
