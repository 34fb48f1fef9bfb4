"""What the chat commands need from the rest of Warta, as Protocols the app implements.

Handlers get one `ChatServices` and reply only through `replier`, so every message the bot sends
goes through the durable, paced outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.store.db import Store


class Replier(Protocol):
    def reply(
        self, chat_id: int, text: str, *, thread_id: int | None = None, html: bool = True
    ) -> None:
        """Enqueue a kind="reply" outbox row (durable, paced) and wake the relay."""


class RulesView(Protocol):
    def rules(self) -> Sequence[tuple[str, str, tuple[str, ...]]]:
        """(id, name, tags) of every rule loaded from the rules files."""

    def check_watch(self, expr: str, *, allow_regex: bool) -> str | None:
        """None when `expr` is a valid personal rule, else the error message."""

    def explain(self, text: str, *, chat_id: int | None = None) -> str:
        """What `warta match` says for this text (plain text), `chat_id`'s `/watch` rules too."""

    def watches_changed(self) -> None:
        """The personal rules changed: recompile them."""


class AdminOps(Protocol):
    def sources_report(self) -> str:
        """The /sources text, plain (the handler escapes it)."""

    async def add_source(self, url: str, source_id: str | None) -> str:
        """Add and fetch a source; plain reply text (success or a clear error)."""

    async def remove_source(self, source_id: str) -> str: ...

    async def refresh(self, source_id: str | None) -> str: ...

    async def reload(self) -> str: ...

    def stats(self) -> str: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def release_digest(self, chat_id: int) -> int:
        """/unmute: turn the chat's held alerts into digest messages; the number of alerts."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatServices:
    conn: Store
    admins: frozenset[int]  # telegram.admins
    default_language: str  # translation.default_language
    supports_language: Callable[[str], bool]  # can translation produce this language?
    replier: Replier
    rules: RulesView
    admin: AdminOps
    clock: Callable[[], float]  # epoch seconds
