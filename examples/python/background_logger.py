"""Log completions from a hot path without waiting on the network.

export TENLOG_TARGET=127.0.0.1:50051 TENLOG_API_KEY=tlk_...
python examples/python/background_logger.py
"""

from __future__ import annotations

import tenlog


def main() -> None:
    with tenlog.Logger(max_queue=50_000) as logger:
        for i in range(1000):
            logger.log(
                tenlog.new_completion(
                    request={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"question {i}"}]},
                    response={"choices": [{"index": 0, "message": {"role": "assistant", "content": "answer"}}]},
                    tags=["example", "background"],
                    duration=0.1,
                )
            )  # returns at once; False (and counted) only if the queue is full
        logger.flush(timeout=30)
        stats = logger.stats()
        print(f"acknowledged {stats.acknowledged}, dropped {stats.dropped}, pending {stats.pending}")


if __name__ == "__main__":
    main()
