"""Token counts read from a response's usage block, whichever provider's shape it has.

Counts are normalized to OpenAI's semantics: cached tokens are part of the
prompt tokens, reasoning tokens part of the completion tokens.

- OpenAI: usage.prompt_tokens / completion_tokens / total_tokens,
  usage.prompt_tokens_details.cached_tokens, usage.completion_tokens_details.reasoning_tokens
  (the Responses API's input_tokens_details / output_tokens_details too).
- Anthropic: usage.input_tokens excludes cache reads and cache writes, so the
  prompt is input_tokens + cache_read_input_tokens + cache_creation_input_tokens,
  and cached is cache_read_input_tokens.
- Gemini: usageMetadata.promptTokenCount (cache included), candidatesTokenCount
  plus thoughtsTokenCount (thoughts are not in candidates), cachedContentTokenCount.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .limits import MAX_TOKEN_COUNT


@dataclass(frozen=True, slots=True)
class UsageCounts:
    """Token counts of one response."""

    prompt: int = 0
    completion: int = 0
    total: int = 0  # as the response states it; 0 when it does not (lift_fields then sums the record's counts)
    cached: int = 0
    reasoning: int = 0


def token_count(value: Any) -> int:
    """A count read from a document: 0 unless it is a number a token count can be."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= MAX_TOKEN_COUNT:
        return int(value)
    return 0


def _nested(usage: Mapping[str, Any], *path: str) -> int:
    value: Any = usage
    for key in path:
        if not isinstance(value, Mapping):
            return 0
        value = value.get(key)
    return token_count(value)


def usage_counts(response: Mapping[str, Any]) -> UsageCounts | None:
    """The counts of response.usage (or Gemini's usageMetadata); None when it has neither."""
    usage = response.get("usage")
    if isinstance(usage, Mapping):
        if "prompt_tokens" in usage or "completion_tokens" in usage:
            prompt, completion = token_count(usage.get("prompt_tokens")), token_count(usage.get("completion_tokens"))
            cached = _nested(usage, "prompt_tokens_details", "cached_tokens")
            reasoning = _nested(usage, "completion_tokens_details", "reasoning_tokens")
        elif "cache_read_input_tokens" in usage or "cache_creation_input_tokens" in usage:
            cached = token_count(usage.get("cache_read_input_tokens"))
            prompt = token_count(
                token_count(usage.get("input_tokens")) + cached + token_count(usage.get("cache_creation_input_tokens"))
            )
            completion = token_count(usage.get("output_tokens"))
            reasoning = 0
        else:  # Anthropic without caching, or OpenAI's Responses API
            prompt, completion = token_count(usage.get("input_tokens")), token_count(usage.get("output_tokens"))
            cached = _nested(usage, "input_tokens_details", "cached_tokens")
            reasoning = _nested(usage, "output_tokens_details", "reasoning_tokens")
        total = token_count(usage.get("total_tokens"))
        return UsageCounts(prompt, completion, total, cached, reasoning)
    meta = response.get("usageMetadata")
    if isinstance(meta, Mapping):
        reasoning = token_count(meta.get("thoughtsTokenCount"))
        prompt = token_count(meta.get("promptTokenCount"))
        completion = token_count(token_count(meta.get("candidatesTokenCount")) + reasoning)
        total = token_count(meta.get("totalTokenCount"))
        return UsageCounts(prompt, completion, total, token_count(meta.get("cachedContentTokenCount")), reasoning)
    return None
