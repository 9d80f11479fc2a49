"""The price table, model name matching, token lifting and the cost rule (pure domain code)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tenlog_server.domain.completion_cost import fill_cost
from tenlog_server.domain.completion_rules import lift_fields
from tenlog_server.domain.documents import Document
from tenlog_server.domain.model import CompletionRecord
from tenlog_server.domain.pricing import (
    PriceTableError,
    TokenUsage,
    built_in_prices,
    cost_of,
    load_prices,
    parse_price_table,
)
from tenlog_server.domain.token_usage import usage_counts

PRICES = built_in_prices()


def test_built_in_table_is_dated_and_covers_the_four_providers() -> None:
    assert PRICES.as_of >= "2026-01-01"
    providers = {p.provider for p in PRICES.prices.values()}
    assert {"openai", "anthropic", "google", "mistral"} <= providers
    for price in PRICES.prices.values():
        assert price.input > 0 and price.output > 0
        assert price.cached_input <= price.input


@pytest.mark.parametrize(
    ("name", "resolved"),
    [
        ("gpt-4o", "gpt-4o"),
        ("GPT-4o-2024-08-06", "gpt-4o"),
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),  # never the shorter gpt-4o
        ("openai/gpt-4.1-mini", "gpt-4.1-mini"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("claude-3-5-sonnet@20240620", "claude-3-5-sonnet"),
        ("models/gemini-2.5-flash", "gemini-2.5-flash"),
        ("gemini-2.0-flash-001", "gemini-2.0-flash"),
        ("mistral-large-2411", "mistral-large"),
        ("mistral-small-latest", "mistral-small"),
    ],
)
def test_model_names_match_exactly_then_without_prefix_then_without_dated_suffix(name: str, resolved: str) -> None:
    price = PRICES.lookup(name)
    assert price is not None and price.model == resolved


@pytest.mark.parametrize("name", ["", "my-finetune", "gpt-4o-something-else", "llama-3-70b"])
def test_unknown_models_have_no_price(name: str) -> None:
    assert PRICES.lookup(name) is None
    assert PRICES.cost(name, TokenUsage(prompt=100, completion=10)) is None


def test_cached_input_and_reasoning_tokens_are_priced_at_their_own_rates() -> None:
    table = parse_price_table(
        '[models."m"]\ninput = 2.0\ncached_input = 0.5\noutput = 8.0\nreasoning = 16.0\n', source="test"
    )
    price = table.lookup("m")
    assert price is not None
    usage = TokenUsage(prompt=1_000_000, completion=1_000_000, cached=400_000, reasoning=250_000)
    # 600k input at 2 + 400k cached at 0.5 + 750k output at 8 + 250k reasoning at 16
    assert cost_of(price, usage) == pytest.approx(1.2 + 0.2 + 6.0 + 4.0)
    # Counts beyond their totals are clamped: cached never exceeds prompt.
    assert cost_of(price, TokenUsage(prompt=10, cached=50)) == pytest.approx(10 * 0.5 / 1e6)


def test_missing_cached_and_reasoning_prices_default_to_input_and_output() -> None:
    price = parse_price_table('[models."m"]\ninput = 1\noutput = 3\n').lookup("m")
    assert price is not None and (price.cached_input, price.reasoning) == (1.0, 3.0)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[models", "not valid TOML"),
        ('[models."m"]\ninput = 1\n', "needs both input and output"),
        ('[models."m"]\ninput = -1\noutput = 1\n', "non-negative"),
        ('[models."m"]\ninput = "cheap"\noutput = 1\n', "input must be"),
        ('[models."m"]\ninput = 1\noutput = 1\ncache = 1\n', "unknown keys cache"),
    ],
)
def test_bad_price_files_are_refused_naming_the_entry(text: str, problem: str) -> None:
    with pytest.raises(PriceTableError, match=problem):
        parse_price_table(text, source="prices.toml")


def test_operator_file_adds_and_overrides_models(tmp_path: Path) -> None:
    path = tmp_path / "prices.toml"
    path.write_text('[models."gpt-4o"]\ninput = 1\noutput = 2\n[models."acme-llm"]\ninput = 3\noutput = 4\n')
    table = load_prices(str(path))
    gpt = table.lookup("gpt-4o-2024-08-06")
    assert gpt is not None and (gpt.input, gpt.output, gpt.source) == (1.0, 2.0, str(path))
    assert table.lookup("acme-llm") is not None
    assert table.lookup("claude-3-haiku") == PRICES.lookup("claude-3-haiku")
    with pytest.raises(PriceTableError, match="cannot read"):
        load_prices(str(tmp_path / "missing.toml"))


def test_usage_shapes_of_openai_anthropic_and_gemini_are_normalized() -> None:
    openai = usage_counts(
        {
            "usage": {
                "prompt_tokens": 1000,
                "completion_tokens": 300,
                "total_tokens": 1300,
                "prompt_tokens_details": {"cached_tokens": 800},
                "completion_tokens_details": {"reasoning_tokens": 200},
            }
        }
    )
    assert openai is not None and (openai.prompt, openai.cached, openai.completion, openai.reasoning) == (
        1000,
        800,
        300,
        200,
    )
    anthropic = usage_counts(
        {
            "usage": {
                "input_tokens": 50,
                "cache_read_input_tokens": 900,
                "cache_creation_input_tokens": 50,
                "output_tokens": 70,
            }
        }
    )
    # Anthropic's input_tokens leaves the cache out; the prompt is all three. It states no total.
    assert anthropic is not None and (anthropic.prompt, anthropic.cached, anthropic.total) == (1000, 900, 0)
    gemini = usage_counts(
        {
            "usageMetadata": {
                "promptTokenCount": 500,
                "cachedContentTokenCount": 100,
                "candidatesTokenCount": 40,
                "thoughtsTokenCount": 60,
            }
        }
    )
    assert gemini is not None and (gemini.prompt, gemini.cached, gemini.completion, gemini.reasoning) == (
        500,
        100,
        100,
        60,
    )
    assert usage_counts({"choices": []}) is None


def _record(response: dict[str, object], **fields: object) -> CompletionRecord:
    rec = CompletionRecord(id="c", response=Document.of(response), **fields)  # type: ignore[arg-type]
    lift_fields(rec)
    fill_cost(rec, PRICES)
    return rec


def test_cost_rule_prices_lifted_tokens_and_keeps_a_sent_cost() -> None:
    usage = {"prompt_tokens": 1000, "completion_tokens": 100, "prompt_tokens_details": {"cached_tokens": 600}}
    rec = _record({"model": "gpt-4o-2024-08-06", "usage": usage})
    assert (rec.cached_tokens, rec.total_tokens) == (600, 1100)
    assert rec.cost == pytest.approx((400 * 2.5 + 600 * 1.25 + 100 * 10.0) / 1e6)
    assert _record({"model": "gpt-4o", "usage": usage}, cost=0.5).cost == 0.5
    assert _record({"model": "unknown-model", "usage": usage}).cost is None
    assert _record({"model": "gpt-4o"}).cost is None  # no tokens: nothing to price
