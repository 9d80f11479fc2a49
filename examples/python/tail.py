"""Print completions as they are created or updated (Ctrl-C to stop).

export TENLOG_TARGET=127.0.0.1:50051 TENLOG_API_KEY=tlk_...
python examples/python/tail.py example
"""

from __future__ import annotations

import sys

import tenlog
from tenlog.v1 import completion_service_pb2


def main(tags: list[str]) -> None:
    with tenlog.Client() as client, client.tail_completions(tags=tags) as tail:
        try:
            for event in tail:
                c = event.completion
                kind = completion_service_pb2.TailEvent.Name(event.event)
                print(kind, c.id, c.model, tenlog.Status.Name(c.status), list(c.tags), flush=True)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main(sys.argv[1:])
