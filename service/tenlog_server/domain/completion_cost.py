"""The cost rule: a completion without a client-sent cost is priced from its tokens at ingest."""

from __future__ import annotations

from .model import CompletionRecord
from .pricing import PriceTable, TokenUsage


def fill_cost(rec: CompletionRecord, prices: PriceTable) -> None:
    """Set rec.cost from its model and tokens when the client sent none (a sent cost is kept as sent).

    Left empty when the model has no price or no tokens were counted.
    """
    if rec.cost is not None:
        return
    usage = TokenUsage(
        prompt=rec.prompt_tokens,
        completion=rec.completion_tokens,
        cached=rec.cached_tokens,
        reasoning=rec.reasoning_tokens,
    )
    rec.cost = prices.cost(rec.model, usage)
