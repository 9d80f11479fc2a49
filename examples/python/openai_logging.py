"""Log every chat completion an OpenAI client makes, in the background.

pip install openai
export TENLOG_TARGET=127.0.0.1:50051 TENLOG_API_KEY=tlk_...
export OPENAI_API_KEY=sk-...            # or OPENAI_BASE_URL for any compatible server
python examples/python/openai_logging.py
"""

from __future__ import annotations

import openai
import tenlog


def main() -> None:
    logger = tenlog.Logger()  # ships over StreamCompletions; flushes at exit
    client = tenlog.wrap(openai.OpenAI(), tags=["example", "openai"], session_id=tenlog.new_id(), logger=logger)

    answer = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "One word for happy?"}]
    )
    print(answer.choices[0].message.content)

    stream = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Count to three."}], stream=True
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            print(chunk.choices[0].delta.content, end="", flush=True)
    print()

    logger.close()  # also happens at exit; close() makes the wait explicit
    print(logger.stats())


if __name__ == "__main__":
    main()
