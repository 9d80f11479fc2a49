#!/usr/bin/env bash
# tenlog over grpcurl (https://github.com/fullstorydev/grpcurl). The server has
# reflection on, so no .proto flags are needed; add
#   -import-path protos -import-path third_party/googleapis -proto tenlog/v1/completion_service.proto
# to use the files instead.
#
#   TENLOG_API_KEY=tlk_... ./examples/grpcurl.sh
set -euo pipefail
TARGET=${TENLOG_TARGET:-127.0.0.1:50051}
KEY=${TENLOG_API_KEY:?set TENLOG_API_KEY}
ID=$(python3 -c 'import uuid; print(uuid.uuid4())')
if ! command -v grpcurl >/dev/null; then
  echo "grpcurl is not installed (Debian does not package it): see https://github.com/fullstorydev/grpcurl," >&2
  echo "or use ./examples/curl.sh and the tenlog CLI (tenlog completions list), which need nothing more." >&2
  exit 2
fi

grpcurl -plaintext "$TARGET" list

# Create (a client-chosen id makes a retry idempotent).
grpcurl -plaintext -H "x-log10-token: $KEY" -d @ "$TARGET" tenlog.v1.CompletionService/CreateCompletion <<JSON
{"completion": {
  "id": "$ID", "status": "STATUS_STARTED", "kind": "KIND_CHAT", "tags": ["example", "grpcurl"],
  "request": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hi"}]}
}}
JSON

# Update only the fields named in update_mask.
grpcurl -plaintext -H "x-log10-token: $KEY" -d @ "$TARGET" tenlog.v1.CompletionService/UpdateCompletion <<JSON
{"completion": {"id": "$ID", "status": "STATUS_FINISHED",
  "response": {"choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi!"}}]}},
 "update_mask": "status,response"}
JSON

grpcurl -plaintext -H "x-log10-token: $KEY" -d "{\"id\": \"$ID\"}" "$TARGET" tenlog.v1.CompletionService/GetCompletion
grpcurl -plaintext -H "x-log10-token: $KEY" -d '{"tags": ["grpcurl"], "page_size": 5}' "$TARGET" \
  tenlog.v1.CompletionService/ListCompletions

# Follow new and updated completions (Ctrl-C to stop):
#   grpcurl -plaintext -H "x-log10-token: $KEY" -d '{"tags": ["example"]}' "$TARGET" tenlog.v1.CompletionService/TailCompletions
