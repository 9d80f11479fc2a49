"""Log a completion, update it, read it back and list by tag with the Python client.

export TENLOG_TARGET=127.0.0.1:50051 TENLOG_API_KEY=tlk_...
python examples/python/quickstart.py
"""

from __future__ import annotations

import tenlog


def main() -> None:
    with tenlog.Client() as client:  # target and key from TENLOG_TARGET / TENLOG_API_KEY
        completion = client.create_completion(
            tenlog.new_completion(
                request={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hi"}]},
                status="started",
                tags=["example", "quickstart"],
            )
        )
        print("created", completion.id, tenlog.Status.Name(completion.status))

        finished = tenlog.new_completion(
            id=completion.id,
            response={
                "model": "gpt-4o-mini",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi!"}}],
                "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11},
            },
            duration=0.42,
        )
        updated = client.update_completion(finished, update_mask=["status", "response", "duration"])
        print("updated", updated.id, tenlog.Status.Name(updated.status), updated.total_tokens, "tokens")

        for found in client.iter_completions(tags=["quickstart"], page_size=10):
            print("listed", found.id, found.model, tenlog.Status.Name(found.status))
            break


if __name__ == "__main__":
    main()
