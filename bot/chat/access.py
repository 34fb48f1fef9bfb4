"""Who may give which command.

- A private chat belongs to its user: they may change its settings.
- In a channel, whoever posts (only its administrators can), as the channel itself.
- In a group, the group's administrators (asked with getChatMember, cached for `ttl` seconds), an
  anonymous administrator (a message sent as the group itself), and configured admins.
- Admin commands (sources, reload, pause, ...): only the user ids in `telegram.admins`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Literal

from telegram import Bot
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

log = logging.getLogger(__name__)

Verdict = Literal["allowed", "refused", "unverified"]

_ADMIN_STATUSES = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})
_LOOKUP_TIMEOUT = 10.0  # seconds, for each getChatMember call
_CACHE_LIMIT = 4096  # entries before expired ones are swept


class Access:
    """Decides whether a user may configure a chat or run admin commands."""

    def __init__(
        self, admins: Iterable[int], *, clock: Callable[[], float], ttl: float = 60.0
    ) -> None:
        self.admins = frozenset(admins)
        self.clock = clock
        self.ttl = ttl
        self._cache: dict[tuple[int, int], tuple[bool, float]] = {}

    def is_admin(self, user_id: int | None) -> bool:
        """A configured Warta admin (telegram.admins)."""
        return user_id is not None and user_id in self.admins

    async def may_configure(
        self,
        bot: Bot,
        *,
        chat_id: int,
        chat_type: str,
        user_id: int | None,
        sender_chat_id: int | None = None,
    ) -> Verdict:
        """May this user change the settings of this chat?"""
        if chat_type == "private":
            return "allowed" if user_id == chat_id else "refused"
        if sender_chat_id is not None:
            # sent "as the group": only its anonymous administrators can do that
            return "allowed" if sender_chat_id == chat_id else "refused"
        if user_id is None:
            return "refused"
        if self.is_admin(user_id):
            return "allowed"
        try:
            is_group_admin = await self._group_admin(bot, chat_id, user_id)
        except TelegramError as e:
            log.warning(
                "could not check chat member",
                extra={"chat_id": chat_id, "user_id": user_id, "error": str(e)},
            )
            return "unverified"
        return "allowed" if is_group_admin else "refused"

    async def _group_admin(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        now = self.clock()
        cached = self._cache.get((chat_id, user_id))
        if cached is not None and cached[1] > now:
            return cached[0]
        member = await bot.get_chat_member(
            chat_id, user_id, read_timeout=_LOOKUP_TIMEOUT, connect_timeout=_LOOKUP_TIMEOUT
        )
        verdict = member.status in _ADMIN_STATUSES
        if len(self._cache) >= _CACHE_LIMIT:
            self._sweep(now)
        self._cache[(chat_id, user_id)] = (verdict, now + self.ttl)
        return verdict

    def _sweep(self, now: float) -> None:
        for key in [k for k, (_, until) in self._cache.items() if until <= now]:
            del self._cache[key]
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()

    def forget_chat(self, chat_id: int) -> None:
        """Drop cached verdicts for a chat (it migrated, or its admins changed)."""
        for key in [k for k in self._cache if k[0] == chat_id]:
            del self._cache[key]


def log_refusal(command: str, *, chat_id: int, user_id: int | None, reason: str) -> None:
    """One line per refused command: who tried what, where."""
    log.warning(
        "command refused",
        extra={"command": command, "chat_id": chat_id, "user_id": user_id, "reason": reason},
    )
