"""Feedback matching: which completions a piece of feedback is attached to, and its limits.

An upload names its completions either explicitly (`completion_ids`, each of
which must exist) or by a tag selector (every completion carrying the tags), not
both. Either way at most `max_matched_completions` may match, or the upload is
refused whole (FAILED_PRECONDITION, MAX_MATCHED_COMPLETIONS_EXCEEDED). Feedback
matching nothing is refused unless `allow_unmatched_feedback` is set. A retried
upload with an id that already landed gets the stored feedback back.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from .completion_rules import id_violations
from .errors import FailedPrecondition, FieldViolation, NotFound
from .input_contract import text_violations
from .limits import MAX_COMPLETION_IDS, MAX_LONG_TEXT_LENGTH, MAX_MATCHED_COMPLETIONS
from .tag_selector import TagSelector, selector_violations

DEFAULT_MAX_MATCHED = 100


@dataclass(slots=True)
class FeedbackUpload:
    """An upload request: explicit completion_ids, or a tag selector."""

    task_id: str
    json_values: dict[str, Any]
    id: str = ""
    comment: str = ""
    completions_summary: str = ""
    completion_ids: list[str] = field(default_factory=list)
    completion_tags_selector: list[str] = field(default_factory=list)
    allow_unmatched_feedback: bool = False
    max_matched_completions: int = DEFAULT_MAX_MATCHED

    @property
    def selector(self) -> TagSelector:
        """The tag selector of the upload (empty when it names completions explicitly)."""
        return TagSelector.of(self.completion_tags_selector)


def upload_violations(up: FeedbackUpload) -> list[FieldViolation]:
    """What is wrong with an upload's own fields, before any lookup."""
    violations = id_violations("id", up.id)
    if not up.task_id:
        violations.append(FieldViolation("task_id", "is required"))
    if up.completion_ids and up.completion_tags_selector:
        violations.append(FieldViolation("completion_ids", "give completion_ids or completion_tags_selector, not both"))
    if up.max_matched_completions < 1:
        violations.append(FieldViolation("max_matched_completions", "must be at least 1"))
    elif up.max_matched_completions > MAX_MATCHED_COMPLETIONS:
        violations.append(FieldViolation("max_matched_completions", f"must be at most {MAX_MATCHED_COMPLETIONS}"))
    violations += selector_violations("completion_tags_selector", up.completion_tags_selector)
    violations += id_violations("task_id", up.task_id)
    violations += text_violations("comment", up.comment, MAX_LONG_TEXT_LENGTH)
    violations += text_violations("completions_summary", up.completions_summary, MAX_LONG_TEXT_LENGTH)
    if len(up.completion_ids) > MAX_COMPLETION_IDS:
        violations.append(FieldViolation("completion_ids", f"names more than {MAX_COMPLETION_IDS} completions"))
    else:
        for i, completion_id in enumerate(up.completion_ids):
            violations += id_violations(f"completion_ids[{i}]", completion_id)
    return violations


def explicit_ids(up: FeedbackUpload) -> list[str]:
    """The completion_ids to look up, each once; FailedPrecondition when there are more than the limit."""
    ids = list(dict.fromkeys(up.completion_ids))
    if len(ids) > up.max_matched_completions:
        raise FailedPrecondition(
            f"{len(ids)} completion_ids exceed max_matched_completions ({up.max_matched_completions})",
            reason="MAX_MATCHED_COMPLETIONS_EXCEEDED",
        )
    return ids


def check_explicit_ids_exist(requested: Sequence[str], found: Collection[str]) -> None:
    """NotFound naming every requested id that is not among the found ones."""
    missing = [cid for cid in requested if cid not in found]
    if missing:
        raise NotFound(
            "completion_ids name completions that do not exist: " + ", ".join(repr(cid) for cid in missing),
            reason="COMPLETION_NOT_FOUND",
        )


def selector_lookup_limit(up: FeedbackUpload) -> int:
    """How many selector matches to fetch: one past the limit tells 'too many' from 'exactly the limit'."""
    return up.max_matched_completions + 1


def check_selector_matches(up: FeedbackUpload, ids: Sequence[str]) -> list[str]:
    """The selector's matches (fetched with selector_lookup_limit); FailedPrecondition past the limit."""
    if len(ids) > up.max_matched_completions:
        raise FailedPrecondition(
            "completion_tags_selector matches more than max_matched_completions "
            f"({up.max_matched_completions}) completions",
            reason="MAX_MATCHED_COMPLETIONS_EXCEEDED",
        )
    return list(ids)


def check_matched(up: FeedbackUpload, ids: Sequence[str]) -> list[str]:
    """The matched ids; FailedPrecondition when nothing matched and unmatched feedback is not allowed."""
    if not ids and not up.allow_unmatched_feedback:
        raise FailedPrecondition(
            "the feedback matches no completion and allow_unmatched_feedback is false",
            reason="UNMATCHED_FEEDBACK",
        )
    return list(ids)
