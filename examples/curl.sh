#!/usr/bin/env bash
# tenlog's REST gateway (the Log10 API) with curl. Routes and bodies follow the
# Log10 OpenAPI contract: snake_case keys, enum values as the spec spells them.
#
#   TENLOG_API_KEY=tlk_... ./examples/curl.sh
set -euo pipefail
BASE=${TENLOG_HTTP_URL:-http://127.0.0.1:8080}
KEY=${TENLOG_API_KEY:?set TENLOG_API_KEY}

# Create: 201 with the stored completion.
ID=$(curl -sS --fail-with-body -X POST "$BASE/api/v1/completions" \
  -H "X-Log10-Token: $KEY" -H "Content-Type: application/json" \
  -d '{"status": "started", "kind": "chat", "tags": ["example", "curl"],
       "request": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hi"}]}}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
echo "created $ID"

# Update the fields sent.
curl -sS --fail-with-body -X POST "$BASE/api/v1/completions/$ID" \
  -H "X-Log10-Token: $KEY" -H "Content-Type: application/json" \
  -d '{"status": "finished",
       "response": {"choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi!"}}]}}'
echo

curl -sS --fail-with-body "$BASE/api/v1/completions/$ID" -H "X-Log10-Token: $KEY"
echo
curl -sS --fail-with-body "$BASE/api/v1/completions?tags=curl&limit=5" -H "X-Log10-Token: $KEY"
echo

# Bad input answers 400 with what was wrong and where.
curl -sS -X POST "$BASE/api/v1/completions" -H "X-Log10-Token: $KEY" -H "Content-Type: application/json" \
  -d '{"duration": -1}'
echo
