"""Completion listings as SQL: newest-first pages by filter and tag selector, and the ungraded keys.

The read side's richer queries (filter language, search, sort) are in completion_query_sql.py.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, and_, exists, false, select

from tenlog_server.domain.model import CompletionFilter, Page
from tenlog_server.domain.tag_selector import TagSelector

from .paging import newest_first
from .schema import Completion, CompletionTag, FeedbackCompletion

completions = cast(Table, Completion.__table__)
completion_tags = cast(Table, CompletionTag.__table__)
feedback_completions = cast(Table, FeedbackCompletion.__table__)


def ungraded_keys(org: str, selector: TagSelector, page: Page) -> Any:
    """(created_at_us, id) of ungraded completions carrying every tag, read from the tag index alone.

    The first tag's (organization, tag, time, id, graded) index range is walked
    newest first, skipping graded entries without touching the completions table.
    """
    tags = selector.tags
    driver = completion_tags.alias("driver")
    query = select(driver.c.created_at_us, driver.c.completion_id).where(
        driver.c.organization_id == org, driver.c.tag == tags[0], driver.c.graded == false()
    )
    for tag in tags[1:]:
        other = completion_tags.alias()
        query = query.where(
            exists().where(
                other.c.organization_id == org, other.c.completion_id == driver.c.completion_id, other.c.tag == tag
            )
        )
    # Authoritative: the flag only keeps graded rows off the scan.
    query = query.where(
        ~exists().where(
            feedback_completions.c.organization_id == org,
            feedback_completions.c.completion_id == driver.c.completion_id,
        )
    )
    return newest_first(query, driver.c.created_at_us, driver.c.completion_id, page)


def filtered_query(
    org: str,
    flt: CompletionFilter,
    page: Page,
    columns: list[Any] | None = None,
    *,
    selector: TagSelector | None = None,
    ungraded: bool = False,
) -> Any:
    """A newest-first page of completions matching the filter (only those without feedback if ungraded).

    The selector (default: the filter's) is the filter's tags in the order to
    query them: the query is driven by the (organization, tag, time) index of its
    first tag, so a tag listing never scans the whole organization.
    """
    query = select(*(columns or [completions])).where(completions.c.organization_id == org)
    tags = list((flt.selector if selector is None else selector).tags)
    created, ident = completions.c.created_at_us, completions.c.id
    if tags:
        driver = completion_tags.alias("driver")
        query = query.join(
            driver,
            and_(driver.c.organization_id == completions.c.organization_id, driver.c.completion_id == ident),
        ).where(driver.c.tag == tags[0])
        created, ident = driver.c.created_at_us, driver.c.completion_id
        for tag in tags[1:]:
            query = query.where(
                exists().where(
                    completion_tags.c.organization_id == org,
                    completion_tags.c.completion_id == completions.c.id,
                    completion_tags.c.tag == tag,
                )
            )
    if ungraded:
        query = query.where(
            ~exists().where(
                feedback_completions.c.organization_id == completions.c.organization_id,
                feedback_completions.c.completion_id == completions.c.id,
            )
        )
    if flt.session_id:
        query = query.where(completions.c.session_id == flt.session_id)
    if flt.status:
        query = query.where(completions.c.status == flt.status)
    if flt.model:
        query = query.where(completions.c.model == flt.model)
    if flt.source:
        query = query.where(completions.c.source == flt.source)
    if flt.created_after_us is not None:
        query = query.where(created >= flt.created_after_us)
    if flt.created_before_us is not None:
        query = query.where(created < flt.created_before_us)
    return newest_first(query, created, ident, page)
