#!/usr/bin/env bash
# Validates the published OpenAPI contract with openapi-spec-validator (installed into .venv-tools from PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  echo "check-openapi.sh: installing python3-venv from Debian" >&2
  $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3 python3-venv >&2
fi
if [ ! -x .venv-tools/bin/python ]; then python3 -m venv .venv-tools; fi
.venv-tools/bin/python -m pip install -q --disable-pip-version-check openapi-spec-validator==0.9.0 >&2 \
  || .venv-tools/bin/python -m pip install -q --disable-pip-version-check openapi-spec-validator >&2
.venv-tools/bin/python -m openapi_spec_validator Sources/AqylServer/Resources/openapi.yaml
