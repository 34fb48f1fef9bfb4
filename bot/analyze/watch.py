"""The `/watch` expression language, compiled by the same engine as rules files.

    "Korea Utara" + Rusia        and        (`+`, or just a space)
    Korut | "Korea Utara"        or         (binds looser than and)
    Rusia -sepakbola             not        (`-` before a term or a parenthesised group)
    @north-korea + (Rusia | Moskow*)        entities, groups, trailing `*`

`re:PATTERN` terms are accepted only with `allow_regex=True` (admins).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

import regex

from bot.analyze.rules import Group
from bot.errors import WatchSyntaxError

MAX_LENGTH = 200
MAX_TERMS = 12
MAX_PER_CHAT = 20

_TOKEN = re.compile(
    r'\s*(?:(?P<regex>re:\S+)|(?P<op>[+|()])|(?P<neg>-)(?=\S)|"(?P<phrase>[^"]*)"'
    r'|(?P<word>[^\s+|()"]+))'
)


@dataclass(frozen=True, slots=True)
class WatchExpr:
    """A parsed `/watch` expression: its text as typed and the rule group it compiles to."""

    text: str
    group: Group

    def terms(self) -> list[str]:
        """Every term (keyword, phrase, `@entity`, `re:`) the expression names."""
        return _terms(self.group)


@dataclass(frozen=True, slots=True)
class PersonalRule:
    """A chat's `/watch` rule; id like `watch:<chat>:<n>`."""

    id: str
    chat_id: int
    expr: WatchExpr


def parse_watch(
    expr: str, *, allow_regex: bool = False, entities: Collection[str] | None = None
) -> WatchExpr:
    """Parse a `/watch` expression; raise `WatchSyntaxError` saying what is wrong.

    With `entities`, an `@name` that is not among them is an error too.
    """
    text = expr.strip()
    if not text:
        raise WatchSyntaxError('empty expression: try /watch "Korea Utara" + Rusia')
    if len(text) > MAX_LENGTH:
        raise WatchSyntaxError(
            f"expression too long ({len(text)} characters, at most {MAX_LENGTH})"
        )
    tokens = _tokenize(text, allow_regex)
    parser = _Parser(tokens)
    group = parser.parse_or()
    if parser.pos < len(tokens):
        raise WatchSyntaxError(f"unexpected {tokens[parser.pos][1]!r}")
    if len(_terms(group)) > MAX_TERMS:
        raise WatchSyntaxError(f"too many terms (at most {MAX_TERMS})")
    if not _has_positive(group):
        raise WatchSyntaxError("an expression needs at least one term that is not negated")
    for term in _terms(group):
        if entities is not None and term.startswith("@") and term[1:] not in entities:
            raise WatchSyntaxError(f"unknown entity {term!r}")
    return WatchExpr(text, group)


def _tokenize(text: str, allow_regex: bool) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise WatchSyntaxError(f"cannot read {text[pos:].strip()!r} (unclosed quote?)")
        pos = m.end()
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind in ("phrase", "word", "regex"):
            value = _check_term(value.strip(), allow_regex)
            kind = "term"
        tokens.append((kind, value))
    return tokens


def _check_term(term: str, allow_regex: bool) -> str:
    if not term:
        raise WatchSyntaxError('empty phrase ""')
    if term.startswith("re:"):
        if not allow_regex:
            raise WatchSyntaxError("regular expressions (re:) are for admins only")
        try:
            regex.compile(term[3:])
        except regex.error as e:
            raise WatchSyntaxError(f"bad regular expression {term[3:]!r}: {e}") from e
    elif "*" in term.rstrip("*").replace("* ", " "):
        raise WatchSyntaxError(f"{term!r}: `*` may only end a word")
    return term


class _Parser:
    """or := and ('|' and)* ; and := unary (['+'] unary)* ; unary := '-' unary | atom."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse_or(self) -> Group:
        items: list[str | Group] = [self._and()]
        while self._peek() == ("op", "|"):
            self.pos += 1
            items.append(self._and())
        return (
            items[0]
            if len(items) == 1 and isinstance(items[0], Group)
            else Group("any", tuple(items))
        )

    def _and(self) -> Group:
        items = [self._unary()]
        while (tok := self._peek()) is not None and tok not in (("op", "|"), ("op", ")")):
            if tok == ("op", "+"):
                self.pos += 1
            items.append(self._unary())
        return Group("all", tuple(items))

    def _unary(self) -> str | Group:
        tok = self._peek()
        if tok is None:
            raise WatchSyntaxError("expression ends where a term was expected")
        self.pos += 1
        if tok[0] == "neg":
            return Group("none", (self._unary(),))
        if tok[0] == "term":
            return tok[1]
        if tok == ("op", "("):
            self.depth += 1
            if self.depth > 4:
                raise WatchSyntaxError("too many nested parentheses")
            inner = self.parse_or()
            if self._peek() != ("op", ")"):
                raise WatchSyntaxError("missing ')'")
            self.pos += 1
            self.depth -= 1
            return inner
        raise WatchSyntaxError(f"unexpected {tok[1]!r} where a term was expected")


def _terms(group: Group) -> list[str]:
    out: list[str] = []
    for item in group.items:
        out.extend(_terms(item) if isinstance(item, Group) else [item])
    return out


def _has_positive(item: str | Group) -> bool:
    if isinstance(item, str):
        return True
    if item.kind == "none":
        return False
    return any(_has_positive(i) for i in item.items)
