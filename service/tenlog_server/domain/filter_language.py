"""The AIP-160 filter language: parses a filter string into a syntax tree. Pure: no fields, no database.

Grammar (AIP-160, which binds OR tighter than AND):

    filter      = [expression]
    expression  = sequence {"AND" sequence}
    sequence    = factor {factor}                 (juxtaposition is AND)
    factor      = term {"OR" term}
    term        = ["NOT" | "-"] simple
    simple      = restriction | "(" expression ")"
    restriction = field operator value
    field       = name {"." name}                 (a name is a word or a quoted string)
    operator    = "=" | "!=" | "<" | "<=" | ">" | ">=" | ":"
    value       = quoted string | bare word       (bare: up to whitespace or a parenthesis)

Values stay text here (with whether they were quoted); what they mean (a
number, an RFC 3339 time, an enum) is decided per field by completion_query.
Every error names the 1-based position and the token where it went wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_FILTER_BYTES = 4096
MAX_DEPTH = 32
MAX_CONDITIONS = 64
OPERATORS = ("<=", ">=", "!=", "=", "<", ">", ":")
KEYWORDS = frozenset({"AND", "OR", "NOT"})

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_BARE = re.compile(r"[^\s()\"']+")
_SPACE = re.compile(r"\s*")


@dataclass(frozen=True, slots=True)
class Value:
    """A comparison's right-hand side as written."""

    text: str
    quoted: bool
    position: int  # 1-based


@dataclass(frozen=True, slots=True)
class Comparison:
    """`field operator value`; field is the dotted path, its segments unquoted."""

    field: tuple[str, ...]
    operator: str
    value: Value
    position: int  # 1-based, where the field starts

    @property
    def name(self) -> str:
        """The field path joined with dots, as the user would write it."""
        return ".".join(self.field)


@dataclass(frozen=True, slots=True)
class And:
    """Every term holds."""

    terms: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """Some term holds."""

    terms: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """The term does not hold."""

    term: Node


Node = Comparison | And | Or | Not


class FilterSyntaxError(ValueError):
    """A filter that does not parse (or is too large): where, which token, and what was expected."""

    def __init__(self, position: int, token: str, message: str) -> None:
        shown = token if len(token) <= 40 else token[:37] + "..."
        super().__init__(
            f"at position {position} ({shown!r}): {message}" if token else f"at position {position}: {message}"
        )
        self.position = position
        self.token = token
        self.message = message


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0
        self.conditions = 0

    # -- scanning -------------------------------------------------------------

    def _skip(self) -> None:
        match = _SPACE.match(self.text, self.pos)
        assert match is not None
        self.pos = match.end()

    def _at_end(self) -> bool:
        self._skip()
        return self.pos >= len(self.text)

    def _peek_token(self) -> str:
        """The next token's text (for error messages and keyword checks)."""
        self._skip()
        if self.pos >= len(self.text):
            return ""
        ch = self.text[self.pos]
        if ch in "()":
            return ch
        for op in OPERATORS:
            if self.text.startswith(op, self.pos):
                return op
        if ch in "\"'":
            end = self.text.find(ch, self.pos + 1)
            return self.text[self.pos : end + 1 if end >= 0 else len(self.text)]
        match = _BARE.match(self.text, self.pos)
        return match.group() if match else ch

    def _keyword(self, word: str) -> bool:
        """Consume the keyword if it is next (a whole word)."""
        self._skip()
        end = self.pos + len(word)
        if self.text.startswith(word, self.pos) and (
            end == len(self.text) or self.text[end].isspace() or self.text[end] in "()"
        ):
            self.pos = end
            return True
        return False

    def _error(self, message: str) -> FilterSyntaxError:
        self._skip()
        return FilterSyntaxError(self.pos + 1, self._peek_token(), message)

    def _quoted(self) -> str:
        quote = self.text[self.pos]
        start = self.pos
        out: list[str] = []
        i = self.pos + 1
        while i < len(self.text):
            ch = self.text[i]
            if ch == "\\" and i + 1 < len(self.text):
                out.append(self.text[i + 1])
                i += 2
                continue
            if ch == quote:
                self.pos = i + 1
                return "".join(out)
            out.append(ch)
            i += 1
        raise FilterSyntaxError(start + 1, self.text[start : start + 40], "the quoted string is not closed")

    # -- grammar --------------------------------------------------------------

    def parse(self) -> Node | None:
        if self._at_end():
            return None
        node = self._expression()
        if not self._at_end():
            raise self._error("expected AND, OR or the end of the filter")
        return node

    def _expression(self) -> Node:
        terms = [self._sequence()]
        while self._keyword("AND"):
            terms.append(self._sequence())
        return terms[0] if len(terms) == 1 else And(tuple(terms))

    def _starts_term(self) -> bool:
        token = self._peek_token()
        return bool(token) and token not in (")", "AND", "OR") and token not in OPERATORS

    def _sequence(self) -> Node:
        terms = [self._factor()]
        while not self._at_end() and self._starts_term():
            terms.append(self._factor())
        return terms[0] if len(terms) == 1 else And(tuple(terms))

    def _factor(self) -> Node:
        terms = [self._term()]
        while self._keyword("OR"):
            terms.append(self._term())
        return terms[0] if len(terms) == 1 else Or(tuple(terms))

    def _nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self._error(f"the filter nests deeper than {MAX_DEPTH} levels")

    def _term(self) -> Node:
        self._skip()
        negated = self._keyword("NOT")
        if not negated and self.text.startswith("-", self.pos):
            negated = True
            self.pos += 1
        if negated:
            self._nested()
            node: Node = Not(self._simple())
            self.depth -= 1
            return node
        return self._simple()

    def _simple(self) -> Node:
        self._skip()
        if self.text.startswith("(", self.pos):
            self._nested()
            self.pos += 1
            if self._at_end() or self._peek_token() == ")":
                raise self._error("expected a condition inside the parentheses")
            node = self._expression()
            if not self._at_end() and self.text[self.pos] == ")":
                self.pos += 1
                self.depth -= 1
                return node
            raise self._error("expected ')'")
        return self._restriction()

    def _field(self) -> tuple[tuple[str, ...], int]:
        self._skip()
        start = self.pos
        segments: list[str] = []
        while True:
            if self.pos < len(self.text) and self.text[self.pos] in "\"'":
                segments.append(self._quoted())
            else:
                match = _NAME.match(self.text, self.pos)
                if match is None:
                    raise self._error("expected a field name")
                segments.append(match.group())
                self.pos = match.end()
            if self.text.startswith(".", self.pos):
                self.pos += 1
                continue
            break
        if len(segments) == 1 and segments[0] in KEYWORDS:
            self.pos = start
            raise self._error("expected a field name")
        return tuple(segments), start + 1

    def _restriction(self) -> Comparison:
        field, position = self._field()
        self._skip()
        operator = next((op for op in OPERATORS if self.text.startswith(op, self.pos)), None)
        if operator is None:
            raise self._error(f"expected an operator ({' '.join(OPERATORS)}) after {'.'.join(field)!r}")
        self.pos += len(operator)
        self._skip()
        value_position = self.pos + 1
        if self.pos >= len(self.text) or self.text[self.pos] in "()":
            raise self._error(f"expected a value after {operator!r}")
        if self.text[self.pos] in "\"'":
            value = Value(self._quoted(), True, value_position)
        else:
            match = _BARE.match(self.text, self.pos)
            assert match is not None
            if match.group() in KEYWORDS:
                raise self._error(f"expected a value after {operator!r}")
            if match.group().startswith(OPERATORS):  # `model == x` is a typo, not a search for "= x"
                raise self._error(f"expected a value after {operator!r} (quote a value that starts with an operator)")
            self.pos = match.end()
            value = Value(match.group(), False, value_position)
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise FilterSyntaxError(position, ".".join(field), f"the filter has more than {MAX_CONDITIONS} conditions")
        return Comparison(field, operator, value, position)


def parse_filter(text: str) -> Node | None:
    """The syntax tree of a filter string (None for an empty filter); FilterSyntaxError when it does not parse."""
    size = len(text.encode())
    if size > MAX_FILTER_BYTES:
        raise FilterSyntaxError(
            MAX_FILTER_BYTES + 1, "", f"the filter is {size} bytes; the limit is {MAX_FILTER_BYTES}"
        )
    return _Parser(text).parse()


def comparisons(node: Node | None) -> list[Comparison]:
    """Every comparison in the tree, in order."""
    if node is None:
        return []
    if isinstance(node, Comparison):
        return [node]
    if isinstance(node, Not):
        return comparisons(node.term)
    return [c for term in node.terms for c in comparisons(term)]
