"""The storage benchmark's workloads: multi-turn chat sessions that resend their history, and single-turn calls.

Multi-turn: 8-turn sessions. Every call sends the session's system prompt
(~2.5 KB, one of SYSTEM_PROMPTS shared across sessions, Zipf-popular), on most
sessions a tool-definition list (one of TOOL_LISTS), the whole history so far
and the new user message; the response carries the assistant's reply, which
the next call resends. About 7.4 KB of JSON per completion on average.
Sessions are interleaved as concurrent users' would be.

Single-turn: every call has its own system prompt, question and answer, with
no value repeated across calls: what content addressing cannot help.

Text is drawn from a Zipf-distributed vocabulary of pseudo-words, so it
compresses about as well as English prose does (gzip ~2.7x).
"""

from __future__ import annotations

import itertools
import random
import string
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

TURNS = 8
OPEN_SESSIONS = 3  # few concurrent sessions: gzip (32 KB window) still sees the previous turn
SYSTEM_PROMPTS = 40
TOOL_LISTS = 12
MODELS = ["gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "claude-3-5-sonnet-20241022"]
FEATURES = ["support", "summarize", "search", "classify", "extract", "draft"]


@dataclass(frozen=True, slots=True)
class Call:
    """One completion as a client logs it: the REST body (request, response and the Log10 fields)."""

    id: str
    body: dict[str, Any]


class _Text:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        syllables = [c + v for c in "bcdfghklmnprstvwz" for v in "aeiou"] + ["th", "ch", "st", "qu", "ing", "er"]
        words = {"".join(rng.choices(syllables, k=rng.choice((1, 1, 2, 2, 2, 3, 3, 4)))) for _ in range(6000)}
        self.words = sorted(words)[:4000]
        rng.shuffle(self.words)
        self.weights = list(itertools.accumulate(1 / (k**1.05) for k in range(1, len(self.words) + 1)))

    def prose(self, chars: int) -> str:
        out: list[str] = []
        size = 0
        sentence = 0
        while size < chars:
            word = self.rng.choices(self.words, cum_weights=self.weights)[0]
            if sentence == 0:
                word = word.capitalize()
            sentence += 1
            if sentence > self.rng.randint(6, 18):
                word += self.rng.choice((".", ".", ".", "?", "!", ":"))
                sentence = 0
            elif self.rng.random() < 0.06:
                word += ","
            out.append(word)
            size += len(word) + 1
        return " ".join(out)


def _tool_list(text: _Text, rng: random.Random) -> list[dict[str, Any]]:
    tools = []
    for _ in range(rng.randint(2, 4)):
        properties = {
            "_".join(text.prose(12).lower().replace(",", "").replace(".", "").split()[:2]): {
                "type": rng.choice(("string", "integer", "boolean")),
                "description": text.prose(rng.randint(30, 70)),
            }
            for _ in range(rng.randint(2, 4))
        }
        tools.append(
            {
                "type": "function",
                "function": {
                    "name": "_".join(text.prose(14).lower().replace(",", "").replace(".", "").split()[:2]),
                    "description": text.prose(rng.randint(60, 140)),
                    "parameters": {"type": "object", "properties": properties, "required": sorted(properties)[:1]},
                },
            }
        )
    return tools


def _response(rng: random.Random, model: str, reply: str, prompt_chars: int, created: int) -> dict[str, Any]:
    completion_tokens = len(reply) // 4
    prompt_tokens = prompt_chars // 4
    return {
        "id": "chatcmpl-" + "".join(rng.choices(string.ascii_letters + string.digits, k=29)),
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0},
        },
        "system_fingerprint": "fp_" + "".join(rng.choices("0123456789abcdef", k=10)),
    }


def _body(
    session: str, feature: str, request: dict[str, Any], response: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    return {
        "kind": "chat",
        "status": "finished",
        "tags": ["production", f"feature-{feature}"],
        "session_id": session,
        "duration": round(rng.uniform(0.4, 9.0), 3),
        "request": request,
        "response": response,
    }


def multi_turn(count: int, seed: int = 15) -> Iterator[Call]:
    """`count` completions of interleaved 8-turn sessions, in the order clients would log them."""
    rng = random.Random(seed)
    text = _Text(rng)
    prompts = [text.prose(rng.randint(2300, 2700)) for _ in range(SYSTEM_PROMPTS)]
    prompt_weights = list(itertools.accumulate(1 / k for k in range(1, SYSTEM_PROMPTS + 1)))
    tool_lists = [_tool_list(text, rng) for _ in range(TOOL_LISTS)]
    created = 1_733_000_000
    open_sessions: list[dict[str, Any]] = []
    produced = 0
    while produced < count:
        while len(open_sessions) < OPEN_SESSIONS:
            open_sessions.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128))),
                    "turn": 0,
                    "model": rng.choice(MODELS),
                    "feature": rng.choice(FEATURES),
                    "messages": [{"role": "system", "content": rng.choices(prompts, cum_weights=prompt_weights)[0]}],
                    "tools": rng.choice(tool_lists) if rng.random() < 0.7 else None,
                    "temperature": rng.choice((0, 0.2, 0.7, 1)),
                }
            )
        session = open_sessions[rng.randrange(len(open_sessions))]
        session["messages"].append({"role": "user", "content": text.prose(rng.randint(100, 400))})
        request: dict[str, Any] = {
            "model": session["model"].rsplit("-", 3)[0] if session["model"].startswith("gpt") else session["model"],
            "messages": list(session["messages"]),
            "temperature": session["temperature"],
            "max_tokens": 1024,
        }
        if session["tools"] is not None:
            request["tools"] = session["tools"]
        reply = text.prose(rng.randint(180, 740))
        prompt_chars = sum(len(m["content"]) for m in session["messages"])
        created += rng.randint(0, 2)
        response = _response(rng, session["model"], reply, prompt_chars, created)
        body = _body(session["id"], session["feature"], request, response, rng)
        yield Call(str(uuid.UUID(int=rng.getrandbits(128))), body)
        produced += 1
        session["messages"].append({"role": "assistant", "content": reply})
        session["turn"] += 1
        if session["turn"] == TURNS:
            open_sessions.remove(session)


def single_turn(count: int, seed: int = 16) -> Iterator[Call]:
    """`count` completions that share no value: own system prompt, question and answer each."""
    rng = random.Random(seed)
    text = _Text(rng)
    created = 1_733_000_000
    for _ in range(count):
        messages = [
            {"role": "system", "content": text.prose(rng.randint(300, 900))},
            {"role": "user", "content": text.prose(rng.randint(100, 400))},
        ]
        reply = text.prose(rng.randint(180, 740))
        request = {"model": "gpt-4o", "messages": messages, "temperature": 0.2}
        created += 1
        response = _response(rng, "gpt-4o-2024-08-06", reply, sum(len(m["content"]) for m in messages), created)
        session = str(uuid.UUID(int=rng.getrandbits(128)))
        yield Call(str(uuid.UUID(int=rng.getrandbits(128))), _body(session, "draft", request, response, rng))
