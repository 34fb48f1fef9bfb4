"""One exception tree for Warta.

    WartaError
    ├── ConfigError          the config file is invalid (carries every Problem)
    ├── RulesError           a rules file is invalid (carries every Problem)
    ├── SourceError          a source could not be fetched or parsed (message says why)
    │   ├── FetchError       network, HTTP status, size cap, redirect loop, private address
    │   └── FeedError        the body is no feed (HTML page without feed link, empty, garbage)
    ├── TranslationError     no provider could translate (the alert is sent untranslated)
    ├── StorageError         the database cannot be opened: unreachable, refused, or newer
    └── WatchSyntaxError     a /watch expression could not be parsed

Library exceptions are wrapped where the library is called (`raise ... from e`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a file, printed as `FILE:LINE:COL: message` (1-based line and column)."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class WartaError(Exception):
    """Base of every error Warta raises on purpose."""


class _ProblemsError(WartaError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class ConfigError(_ProblemsError):
    """The configuration is invalid; `problems` lists every problem found."""

    partial: object = None  # the Config as far as it could be read, when parsing got that far


class RulesError(_ProblemsError):
    """One or more rules files are invalid; `problems` lists every problem found."""


class SourceError(WartaError):
    """A source could not be read; the message is what an admin sees in /sources."""


class FetchError(SourceError):
    """The HTTP side failed: network, status, size, redirects, refused address."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class FeedError(SourceError):
    """The body is not a feed Warta can read."""


class TranslationError(WartaError):
    """Every translation provider failed for this text."""


class StorageError(WartaError):
    """The database cannot be opened; the message names it (a URL without its password)."""


class WatchSyntaxError(WartaError):
    """A /watch expression is malformed; the message says where."""
