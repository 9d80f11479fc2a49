"""domain.tag_selector: one selector type for listings, the live tail and feedback."""

from __future__ import annotations

from tenlog_server.domain.model import CompletionFilter
from tenlog_server.domain.tag_selector import TagSelector, tag_violations


def test_a_selector_matches_completions_carrying_every_tag() -> None:
    selector = TagSelector.of(["a", "b", "a"])
    assert selector.tags == ("a", "b")
    assert selector.matches(["b", "c", "a"])
    assert not selector.matches(["a"])
    assert TagSelector().matches([]) and not TagSelector()


def test_covers_means_matching_at_least_as_much() -> None:
    assert TagSelector.of(["a"]).covers(TagSelector.of(["a", "b"]))
    assert not TagSelector.of(["a", "b"]).covers(TagSelector.of(["a"]))
    assert TagSelector().covers(TagSelector.of(["z"]))


def test_a_listing_filter_selects_with_the_same_type() -> None:
    assert CompletionFilter(tags=["x", "y", "x"]).selector == TagSelector(("x", "y"))


def test_tag_violations_name_each_bad_tag() -> None:
    assert [(v.field, v.description) for v in tag_violations("tags", ["ok", " ", "x" * 257])] == [
        ("tags[1]", "tag must not be empty"),
        ("tags[2]", "tag is longer than 256 characters"),
    ]
