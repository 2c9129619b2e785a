# Sourced by scripts that test a running server: starts `aqyl serve` with the synthetic demo on a fresh SQLite file
# at a free port, waits for /health, signs in as the demo admin, and stops the server (removing its files) on exit.
# Sets PORT, BASE, TOKEN, WORK. AQYL_BIN: the aqyl binary (default .build/debug/aqyl, built when missing).
BIN=${AQYL_BIN:-.build/debug/aqyl}
[ -x "$BIN" ] || swift build --product aqyl >&2
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
BASE="http://127.0.0.1:$PORT"
# The legal consultation answers from an index built here (BM25 only, about a second): of the Constitution in
# ../shared/data when it is there, else of the hand-written test act in Tests/LegalTests/Fixtures/acts (not a real
# law: it only lets the contract tests reach the answering code).
LEGAL_ACTS=${AQYL_LEGAL_ACTS:-../shared/data/legal/kz_constitution_2026}
[ -d "$LEGAL_ACTS" ] || LEGAL_ACTS=Tests/LegalTests/Fixtures/acts
LEGAL_INDEX=""
if [ -z "${AQYL_LEGAL_INDEX:-}" ]; then
  "$BIN" legal index --acts "$LEGAL_ACTS" --dense none --out "$WORK/legal.idx" >"$WORK/legal-index.log" 2>&1 \
    || { cat "$WORK/legal-index.log" >&2; echo "demo-server.sh: could not build the legal index" >&2; exit 1; }
  LEGAL_INDEX="$WORK/legal.idx"
fi
export AQYL_LEGAL_INDEX=${AQYL_LEGAL_INDEX:-$LEGAL_INDEX}
"$BIN" serve --database "sqlite:$WORK/aqyl.sqlite" --port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true; wait $SERVER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 120); do
  curl -sf "$BASE/health" >/dev/null && break
  kill -0 $SERVER_PID 2>/dev/null || { cat "$WORK/server.log" >&2; echo "the server did not start" >&2; exit 1; }
  sleep 0.5
done
TOKEN=$(curl -sf -X POST "$BASE/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"aqyl-demo-2026"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
