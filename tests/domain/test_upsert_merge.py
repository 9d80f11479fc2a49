"""domain.upsert_merge without a database: client ids, the late-`started` rule, repeated ids in one batch."""

from __future__ import annotations

import pytest
from tenlog_server.domain.model import CompletionRecord
from tenlog_server.domain.upsert_merge import Stored, merge_batch, started_may_replace

from tests.domain.late_started_cases import LATE_STARTED_CASES, LateStartedCase, case_id


def rec(cid: str, status: str = "finished", tags: list[str] | None = None, t: int = 10) -> CompletionRecord:
    return CompletionRecord(id=cid, status=status, tags=tags or [], created_at_us=t, updated_at_us=t)


@pytest.mark.parametrize("case", LATE_STARTED_CASES, ids=case_id)
def test_late_started_table(case: LateStartedCase) -> None:
    assert started_may_replace(case.incoming, case.stored) is case.applied
    stored = {} if case.stored is None else {("o", "x"): Stored(case.stored, 1)}
    merged = merge_batch([("o", rec("x", case.incoming))], stored)
    (result,) = merged.results
    assert result.applied is case.applied
    assert result.created is (case.stored is None)
    if case.applied:
        assert merged.writes[("o", "x")].status == case.final
        assert merged.unchanged == set()
    else:  # nothing is written; storage answers with the stored row
        assert merged.writes == {} and merged.unchanged == {("o", "x")}


def test_a_write_to_a_stored_id_replaces_it_and_keeps_its_creation_time() -> None:
    merged = merge_batch([("o", rec("x", t=50))], {("o", "x"): Stored("started", 7)})
    (result,) = merged.results
    assert (result.created, result.applied, result.record.created_at_us) == (False, True, 7)
    assert merged.writes[("o", "x")].organization_id == "o"


def test_repeated_ids_in_one_batch_apply_in_order() -> None:
    items = [
        ("o", rec("x", "started", ["a"], t=1)),
        ("o", rec("x", "finished", ["b"], t=2)),
        ("o", rec("x", "started", ["c"], t=3)),  # late: ignored, answered with the finished write
        ("o", rec("y", "started", ["a"], t=4)),
        ("o", rec("y", "failed", ["d"], t=5)),
    ]
    merged = merge_batch(items, {})
    assert [(r.created, r.applied) for r in merged.results] == [
        (True, True),
        (False, True),
        (False, False),
        (True, True),
        (False, True),
    ]
    assert merged.results[2].record is merged.writes[("o", "x")]
    assert merged.sources[("o", "x")] is items[1][1] and merged.sources[("o", "y")] is items[4][1]
    assert merged.writes[("o", "x")].tags == ["b"] and merged.writes[("o", "x")].created_at_us == 1
    assert merged.writes[("o", "y")].status == "failed" and merged.writes[("o", "y")].created_at_us == 4
    assert merged.unchanged == set()


def test_the_same_id_in_two_organizations_is_two_completions() -> None:
    merged = merge_batch([("a", rec("x")), ("b", rec("x", "started"))], {("a", "x"): Stored("finished", 1)})
    assert [(r.created, r.applied) for r in merged.results] == [(False, True), (True, True)]
    assert set(merged.writes) == {("a", "x"), ("b", "x")}
