"""Which completions a read asks for: the typed filter, full-text search terms and order, plus its page tokens.

A CompletionQuery is what ListCompletions, AggregateCompletions and
ExportCompletions hand to the store. It is built from the request strings by
`build_query`, which checks every field name, operator and value type against
FIELDS and reports mistakes as INVALID_ARGUMENT naming the position and token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import orjson

from .completion_rules import KINDS, STATUSES
from .errors import FieldViolation, InvalidArgument
from .filter_language import And, Comparison, FilterSyntaxError, Node, Not, Or, comparisons, parse_filter
from .model import CompletionFilter
from .pagination import make_page
from .search_text import MAX_METADATA_KEY

FieldType = Literal["string", "enum", "number", "integer", "time", "tag", "bool", "metadata"]

# Filterable fields and their types; created_at/updated_at compare with RFC 3339 times.
FIELDS: dict[str, FieldType] = {
    "id": "string",
    "model": "string",
    "session_id": "string",
    "source": "string",
    "status": "enum",
    "kind": "enum",
    "tags": "tag",
    "duration": "number",
    "cost": "number",
    "prompt_tokens": "integer",
    "completion_tokens": "integer",
    "total_tokens": "integer",
    "created_at": "time",
    "updated_at": "time",
    "graded": "bool",
}
ENUMS = {"status": STATUSES, "kind": KINDS}
ORDERABLE = ("created_at", "cost", "duration", "total_tokens")
MAX_FILTER_TAGS = 20  # tags: conditions in one filter, the bound of the fixed tags field: each is one index probe
MAX_SEARCH_BYTES = 4096
MAX_SEARCH_TERMS = 32
MAX_FEEDBACK_PATH = 8  # feedback.<task>.<a>.<b>...: levels of json_values a field path may descend
_FEEDBACK_KEY_REFUSED = re.compile(r'["\\\x00-\x1f]')  # SQLite JSON paths cannot say these in a key
_ORDERED_OPERATORS = ("=", "!=", "<", "<=", ">", ">=", ":")
_EQUALITY_OPERATORS = ("=", "!=", ":")
_WORD = re.compile(r"\w+")
_PHRASE = re.compile(r'"([^"]*)"?|(\S+)')

Scalar = str | int | float | bool


@dataclass(frozen=True, slots=True)
class Condition:
    """One typed comparison: `field` is a key of FIELDS, "metadata" or "feedback".

    `key` is the metadata key, or the feedback task's name; `path` the field's
    keys inside a feedback's json_values (empty for `feedback.<task>:*`).
    Operators are normalized: ':' becomes '=' except `metadata.k:*` (the key is
    present) and `feedback.<task>[.<field>]:*` (feedback under the task / with
    the field), which are operator 'exists'. Times are microseconds since the epoch.
    A metadata or feedback value is a str (compares text) or a float (numbers).
    """

    field: str
    operator: str
    value: Scalar
    key: str = ""
    path: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AllOf:
    """Every part holds."""

    parts: tuple[Predicate, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Some part holds."""

    parts: tuple[Predicate, ...]


@dataclass(frozen=True, slots=True)
class NoneOf:
    """The part does not hold."""

    part: Predicate


Predicate = Condition | AllOf | AnyOf | NoneOf


@dataclass(frozen=True, slots=True)
class Ordering:
    """Sort key and direction; ties are broken by id in the same direction."""

    field: str = "created_at"
    descending: bool = True


@dataclass(frozen=True, slots=True)
class CompletionQuery:
    """Which completions, in which order: fixed fields, filter and search are combined with AND.

    search is a tuple of terms, each a tuple of words: a one-word term is a word,
    a longer one a phrase. Every term must match.
    """

    fixed: CompletionFilter = field(default_factory=CompletionFilter)
    predicate: Predicate | None = None
    search: tuple[tuple[str, ...], ...] = ()
    order: Ordering = field(default_factory=Ordering)
    binding: str = ""  # what page tokens are bound to besides the organization


@dataclass(frozen=True, slots=True)
class QueryCursor:
    """Keyset position: the sort value and id of the previous page's last row."""

    value: int | float | None
    id: str


@dataclass(frozen=True, slots=True)
class QueryPage:
    """Where a query's page starts and how many rows it returns."""

    limit: int
    offset: int = 0
    after: QueryCursor | None = None


def _violation(message: str) -> InvalidArgument:
    return InvalidArgument(f"invalid filter: {message}", [FieldViolation("filter", message)])


def _bad(comparison: Comparison, message: str, *, at_value: bool = False) -> InvalidArgument:
    if at_value:
        where = f"at position {comparison.value.position} ({comparison.value.text!r})"
    else:
        where = f"at position {comparison.position} ({comparison.name!r})"
    return _violation(f"{where}: {message}")


def parse_time(text: str) -> int | None:
    """Microseconds since the epoch of an RFC 3339 time with an offset (Z or +hh:mm); None if it is not one."""
    if "T" not in text.upper() or not re.search(r"(Z|[+-]\d\d:\d\d)$", text, re.IGNORECASE):
        return None
    try:
        moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        return None
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _is_presence(comparison: Comparison) -> bool:
    return comparison.operator == ":" and comparison.value.text == "*" and not comparison.value.quoted


def _scalar(comparison: Comparison, head: str, key: str, path: tuple[str, ...] = ()) -> Condition:
    """A metadata or feedback comparison: a bare number compares numbers, anything else text (= != only)."""
    operator, value = comparison.operator, comparison.value
    number = None if value.quoted else _number(value.text)
    if number is None and operator not in _EQUALITY_OPERATORS:
        raise _bad(comparison, f"{operator} compares numbers; {value.text!r} is not a number", at_value=True)
    op = "=" if operator == ":" else operator
    return Condition(head, op, value.text if number is None else number, key, path)


def _feedback(comparison: Comparison) -> Condition:
    """`feedback.<task name>.<field>[.<field>...] op value`, or `feedback.<task name>:*`."""
    task, fields = (comparison.field[1], comparison.field[2:]) if len(comparison.field) > 1 else ("", ())
    usage = "write feedback.<task name>.<field> (quote a name with spaces or dots), or feedback.<task name>:*"
    if not task:
        raise _bad(comparison, usage)
    if not fields:
        if not _is_presence(comparison):
            raise _bad(comparison, f"feedback.<task name> only takes :* (has feedback under the task); {usage}")
        return Condition("feedback", "exists", True, task)
    if len(fields) > MAX_FEEDBACK_PATH:
        raise _bad(comparison, f"a feedback field path has at most {MAX_FEEDBACK_PATH} keys")
    for key in fields:
        if not key or len(key) > MAX_METADATA_KEY or _FEEDBACK_KEY_REFUSED.search(key):
            raise _bad(
                comparison,
                f"feedback field keys are 1 to {MAX_METADATA_KEY} characters without quotes, backslashes"
                f" or control characters; {key!r} is not one",
            )
    if _is_presence(comparison):
        return Condition("feedback", "exists", True, task, fields)
    return _scalar(comparison, "feedback", task, fields)


def _typed(comparison: Comparison) -> Condition:
    path, operator, value = comparison.field, comparison.operator, comparison.value
    head = path[0]
    if head == "metadata":
        if len(path) != 2 or not path[1] or len(path[1]) > MAX_METADATA_KEY:
            raise _bad(comparison, f"write metadata.<key> with one key of 1 to {MAX_METADATA_KEY} characters")
        if _is_presence(comparison):
            return Condition("metadata", "exists", True, path[1])
        return _scalar(comparison, "metadata", path[1])
    if head == "feedback":
        return _feedback(comparison)
    kind = FIELDS.get(head)
    if kind is None or len(path) != 1:
        known = ", ".join([*FIELDS, "metadata.<key>", "feedback.<task name>.<field>"])
        raise _bad(comparison, f"unknown field {comparison.name!r}; filterable fields are {known}")
    if kind in ("string", "enum", "tag", "bool") and operator not in _EQUALITY_OPERATORS:
        raise _bad(comparison, f"{head} supports =, != and :, not {operator}")
    op = "=" if operator == ":" else operator
    text = value.text
    if kind == "string":
        return Condition(head, op, text)
    if kind == "enum":
        if text not in ENUMS[head]:
            raise _bad(comparison, f"{head} is one of {', '.join(ENUMS[head])}", at_value=True)
        return Condition(head, op, text)
    if kind == "tag":
        return Condition(head, op, text)
    if kind == "bool":
        if text.lower() not in ("true", "false"):
            raise _bad(comparison, f"{head} is true or false", at_value=True)
        return Condition(head, op, text.lower() == "true")
    if kind == "time":
        moment = parse_time(text)
        if moment is None:
            raise _bad(comparison, f"{head} compares with an RFC 3339 time such as 2024-05-01T00:00:00Z", at_value=True)
        return Condition(head, op, moment)
    number = None if value.quoted else _number(text)
    if number is None:
        raise _bad(comparison, f"{head} compares with a number", at_value=True)
    if kind == "integer":
        if not number.is_integer():
            raise _bad(comparison, f"{head} compares with a whole number", at_value=True)
        return Condition(head, op, int(number))
    return Condition(head, op, number)


def _predicate(node: Node) -> Predicate:
    if isinstance(node, Comparison):
        return _typed(node)
    if isinstance(node, Not):
        return NoneOf(_predicate(node.term))
    if isinstance(node, And):
        return AllOf(tuple(_predicate(t) for t in node.terms))
    assert isinstance(node, Or)
    return AnyOf(tuple(_predicate(t) for t in node.terms))


def parse_predicate(text: str) -> Predicate | None:
    """The typed predicate of a filter string; INVALID_ARGUMENT (a violation on `filter`) when it is wrong."""
    try:
        node = parse_filter(text)
    except FilterSyntaxError as exc:
        raise _violation(str(exc)) from None
    tagged = [c for c in comparisons(node) if c.field[0] == "tags"]
    if len(tagged) > MAX_FILTER_TAGS:
        raise _bad(tagged[MAX_FILTER_TAGS], f"the filter names more than {MAX_FILTER_TAGS} tags")
    return None if node is None else _predicate(node)


def parse_search(text: str) -> tuple[tuple[str, ...], ...]:
    """Search terms: words, and "quoted phrases" as word sequences; punctuation separates words."""
    if len(text.encode()) > MAX_SEARCH_BYTES:
        raise InvalidArgument(
            "search is too long", [FieldViolation("search", f"is longer than {MAX_SEARCH_BYTES} bytes")]
        )
    terms: list[tuple[str, ...]] = []
    for match in _PHRASE.finditer(text):
        phrase = match.group(1)
        if phrase is not None:
            words = tuple(w.lower() for w in _WORD.findall(phrase))
            if words:
                terms.append(words)
        else:
            terms += [(w.lower(),) for w in _WORD.findall(match.group(2))]
    if text.strip() and not terms:
        raise InvalidArgument("search has no words", [FieldViolation("search", "has no letters or digits to match")])
    if len(terms) > MAX_SEARCH_TERMS:
        raise InvalidArgument(
            "search has too many terms", [FieldViolation("search", f"has more than {MAX_SEARCH_TERMS} words")]
        )
    return tuple(dict.fromkeys(terms))


def parse_order(text: str) -> Ordering:
    """`field [asc|desc]` (AIP-132: ascending unless desc); empty means created_at desc."""
    words = text.split()
    if not words:
        return Ordering()
    problem = ""
    if words[0] not in ORDERABLE:
        problem = f"cannot order by {words[0]!r}; use one of {', '.join(ORDERABLE)}"
    elif len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
        problem = "write one field, optionally followed by asc or desc"
    if problem:
        raise InvalidArgument(f"invalid order_by: {problem}", [FieldViolation("order_by", problem)])
    return Ordering(words[0], len(words) == 2 and words[1].lower() == "desc")


def build_query(
    fixed: CompletionFilter | None = None, filter_text: str = "", search: str = "", order_by: str = ""
) -> CompletionQuery:
    """Validate a read's filter, search and order into a CompletionQuery; every mistake is INVALID_ARGUMENT."""
    fixed = fixed or CompletionFilter()
    predicate = parse_predicate(filter_text)
    terms = parse_search(search)
    order = parse_order(order_by)
    binding = hashlib.sha256(orjson.dumps([repr(fixed), predicate and repr(predicate), terms, repr(order)]))
    return CompletionQuery(fixed, predicate, terms, order, binding.hexdigest()[:16])


def _token_binding(org: str, query: CompletionQuery) -> str:
    return hashlib.sha256(f"{org}\0{query.binding}".encode()).hexdigest()[:16]


def encode_query_token(org: str, query: CompletionQuery, value: int | float | None, row_id: str) -> str:
    """An opaque token naming the last row of a page, valid only for this organization and query."""
    payload = orjson.dumps([value, row_id, _token_binding(org, query)])
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def make_query_page(
    org: str, query: CompletionQuery, page_size: int, limit: int, offset: int, page_token: str
) -> QueryPage:
    """Validate paging arguments; a token issued for another query or organization is INVALID_ARGUMENT."""
    page = make_page(page_size, limit, offset, "")
    after = None
    if page_token:
        try:
            padded = page_token + "=" * (-len(page_token) % 4)
            value, row_id, bound = orjson.loads(base64.urlsafe_b64decode(padded))
            if not isinstance(value, int | float | None) or not isinstance(row_id, str) or not isinstance(bound, str):
                raise ValueError("malformed")
        except (binascii.Error, ValueError, TypeError, orjson.JSONDecodeError):
            raise InvalidArgument(
                "invalid page_token", [FieldViolation("page_token", "is not a token this server issued")]
            ) from None
        if bound != _token_binding(org, query):
            raise InvalidArgument(
                "page_token belongs to another query",
                [FieldViolation("page_token", "was issued for a different filter, search, order or organization")],
            )
        after = QueryCursor(value, row_id)
    return QueryPage(limit=page.limit, offset=page.offset, after=after)
