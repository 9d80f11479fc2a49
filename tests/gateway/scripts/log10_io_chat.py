"""Drive the official log10-io SDK (0.16) unchanged: one chat completion through its wrapped OpenAI client.

Run in its own process (log10-io reads LOG10_URL/LOG10_TOKEN/LOG10_ORG_ID at
import time and shares the `log10` package name with log10py). Usage:
    log10_io_chat.py sync|async TAG
Prints {"id": <completion id>, "content": <the model's answer>} as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys


def run_sync(tag: str) -> dict[str, str]:
    from log10.load import OpenAI, log10_session

    client = OpenAI()
    with log10_session(tags=[tag]) as session:
        reply = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "Say hello"}], temperature=0
        )
        completion_id = session.last_completion_id()
    return {"id": completion_id, "content": reply.choices[0].message.content or ""}


async def run_async(tag: str) -> dict[str, str]:
    import openai
    from log10._httpx_utils import finalize
    from log10.load import log10, log10_session

    log10(openai)
    client = openai.AsyncOpenAI()
    with log10_session(tags=[tag]) as session:
        reply = await client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "Say hello"}]
        )
        completion_id = session.last_completion_id()
    await finalize()  # the SDK posts started and finished as background tasks
    return {"id": completion_id, "content": reply.choices[0].message.content or ""}


if __name__ == "__main__":
    mode, tag = sys.argv[1], sys.argv[2]
    result = run_sync(tag) if mode == "sync" else asyncio.run(run_async(tag))
    print(json.dumps(result))
