#!/usr/bin/env bash
# Open311 conformance with real clients: the PyPI client georeport 0.3.1 and a client written from the GeoReport v2
# specification, against a demo server; every XML answer validated against schemas/open311/*.xsd.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/check-openapi.sh >/dev/null
.venv-tools/bin/python -m pip install -q --disable-pip-version-check georeport==0.3.1 xmlschema==4.1.0 xmltodict >&2 \
  || .venv-tools/bin/python -m pip install -q --disable-pip-version-check georeport==0.3.1 xmlschema xmltodict >&2
. scripts/lib/demo-server.sh
KEY=$(curl -sf -X POST "$BASE/v1/users/integrator.bank/tokens" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"label":"open311-clients"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
.venv-tools/bin/python scripts/open311-clients.py "$BASE" "$KEY"
