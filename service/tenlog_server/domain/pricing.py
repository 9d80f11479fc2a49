"""Model prices and the cost of a completion's tokens.

The price table is TOML (see data/model_prices.toml, shipped with the package):
US dollars per million tokens for input, output, cached input and reasoning
tokens. Operators add or override models with their own file of the same shape;
its entries replace the built-in ones by name.

Token counts follow OpenAI's usage semantics: cached tokens are part of the
prompt tokens and reasoning tokens part of the completion tokens, so

    cost = (prompt - cached) * input + cached * cached_input
         + (completion - reasoning) * output + reasoning * reasoning
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

PER_TOKENS = 1_000_000
# Provider prefixes some SDKs and gateways put before the model name.
_PREFIX = re.compile(r"^(openai|anthropic|google|gemini|mistral|mistralai|models|azure|vertex_ai|bedrock)/")
# A dated or version suffix: -2024-08-06 (OpenAI), -20250929 or @20250929 (Anthropic, Vertex),
# -2411 (Mistral), -latest, -001 (Gemini).
_SUFFIX = re.compile(r"[-@](\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{3}|latest)$")
_PRICES = ("input", "output", "cached_input", "reasoning")


class PriceTableError(ValueError):
    """A price file that is not a valid price table; the message names the entry."""


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """Dollars per million tokens of one model."""

    model: str
    provider: str
    input: float
    output: float
    cached_input: float
    reasoning: float
    source: str = "built-in"  # or the path of the operator's file that set it


@dataclass(frozen=True, slots=True)
class TokenUsage:
    """The token counts of one completion (cached within prompt, reasoning within completion)."""

    prompt: int = 0
    completion: int = 0
    cached: int = 0
    reasoning: int = 0


def cost_of(price: ModelPrice, usage: TokenUsage) -> float:
    """What the tokens cost at this price, in dollars."""
    cached = min(max(usage.cached, 0), usage.prompt)
    reasoning = min(max(usage.reasoning, 0), usage.completion)
    dollars = (
        (usage.prompt - cached) * price.input
        + cached * price.cached_input
        + (usage.completion - reasoning) * price.output
        + reasoning * price.reasoning
    )
    return dollars / PER_TOKENS


def candidate_names(model: str) -> Iterator[str]:
    """The names a model is looked up under, most specific first."""
    name = model.strip().lower()
    yield name
    unprefixed = _PREFIX.sub("", name)
    if unprefixed != name:
        yield unprefixed
    undated = _SUFFIX.sub("", unprefixed)
    if undated != unprefixed:
        yield undated


class PriceTable:
    """Prices by model name, with the date of the built-in table."""

    def __init__(self, prices: Mapping[str, ModelPrice], as_of: str = "") -> None:
        self.prices = dict(prices)
        self.as_of = as_of

    def lookup(self, model: str) -> ModelPrice | None:
        """The price of a model: by exact name, then without provider prefix, then without dated suffix."""
        if not model:
            return None
        for name in candidate_names(model):
            price = self.prices.get(name)
            if price is not None:
                return price
        return None

    def cost(self, model: str, usage: TokenUsage) -> float | None:
        """The cost of the tokens, or None when the model has no price or no tokens were counted."""
        if usage.prompt <= 0 and usage.completion <= 0:
            return None
        price = self.lookup(model)
        return None if price is None else cost_of(price, usage)

    def merged(self, overrides: PriceTable) -> PriceTable:
        """This table with the other's models added or replacing ours by name.

        An override that names no provider keeps the built-in entry's provider.
        """
        prices = dict(self.prices)
        for name, price in overrides.prices.items():
            known = prices.get(name)
            prices[name] = replace(price, provider=known.provider) if known and not price.provider else price
        return PriceTable(prices, self.as_of)

    def __len__(self) -> int:
        return len(self.prices)


def _number(entry: Mapping[str, Any], key: str, where: str) -> float | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise PriceTableError(f"{where}.{key} must be a non-negative number of dollars per million tokens")
    return float(value)


def parse_price_table(text: str, source: str = "built-in") -> PriceTable:
    """A price table from TOML text ([models."name"] entries); PriceTableError names what is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PriceTableError(f"{source}: not valid TOML: {exc}") from None
    models = data.get("models", {})
    if not isinstance(models, dict):
        raise PriceTableError(f"{source}: [models] must be a table of models")
    prices: dict[str, ModelPrice] = {}
    for name, entry in models.items():
        where = f"{source}: models.{name!r}"
        if not isinstance(entry, dict):
            raise PriceTableError(f"{where} must be a table")
        unknown = sorted(set(entry) - {*_PRICES, "provider"})
        if unknown:
            known = ", ".join([*_PRICES, "provider"])
            raise PriceTableError(f"{where} has unknown keys {', '.join(unknown)} (known: {known})")
        input_price = _number(entry, "input", where)
        output_price = _number(entry, "output", where)
        if input_price is None or output_price is None:
            raise PriceTableError(f"{where} needs both input and output prices")
        cached = _number(entry, "cached_input", where)
        reasoning = _number(entry, "reasoning", where)
        key = name.strip().lower()
        prices[key] = ModelPrice(
            model=key,
            provider=str(entry.get("provider", "")),
            input=input_price,
            output=output_price,
            cached_input=input_price if cached is None else cached,
            reasoning=output_price if reasoning is None else reasoning,
            source=source,
        )
    table = data.get("table", {})
    as_of = str(table.get("as_of", "")) if isinstance(table, dict) else ""
    return PriceTable(prices, as_of)


def built_in_prices() -> PriceTable:
    """The price table shipped with tenlog (data/model_prices.toml)."""
    text = resources.files("tenlog_server.domain").joinpath("data/model_prices.toml").read_text(encoding="utf-8")
    return parse_price_table(text)


def load_prices(override_path: str = "") -> PriceTable:
    """The table in effect: the built-in one, with the operator's file (if any) merged over it."""
    table = built_in_prices()
    if not override_path:
        return table
    try:
        with open(override_path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise PriceTableError(f"{override_path}: cannot read the price file: {exc.strerror}") from None
    return table.merged(parse_price_table(text, source=override_path))
