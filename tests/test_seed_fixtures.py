"""The seed copies under tests/fixtures stay identical to the API documents they were taken from."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "seeds"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.mark.parametrize("copy", sorted(p.name for p in FIXTURES.glob("*") if p.suffix in (".txt", ".yaml")))
def test_fixture_matches_the_seed(copy: str) -> None:
    original = SHARED / copy
    if not original.exists():
        pytest.skip("shared/seeds is not beside this checkout")
    assert (FIXTURES / copy).read_bytes() == original.read_bytes()
