"""Personal rules: /watch EXPR and /unwatch N."""

from __future__ import annotations

import re

from bot.chat.access import log_refusal
from bot.chat.turn import Turn
from bot.store import chats
from bot.store.db import transaction

MAX_WATCHES = 20  # per chat
MAX_EXPR = 200  # characters

# phones turn straight quotes into curly ones; the expression language wants straight ones
_QUOTES = str.maketrans(dict.fromkeys("“”„‟«»″＂", '"'))
_REGEX = re.compile(r'(?:^|[\s+|\-("])re:', re.IGNORECASE)


def normalize_expr(text: str) -> str:
    """The expression as typed, with curly quotes straightened and runs of spaces collapsed."""
    return " ".join(text.translate(_QUOTES).split())


async def watch(turn: Turn) -> None:
    expr = normalize_expr(turn.text)
    if not expr:
        turn.say("watch_usage")
        return
    if len(expr) > MAX_EXPR:
        turn.say("watch_too_long", limit=MAX_EXPR)
        return
    existing = chats.watches(turn.services.conn, turn.chat_id)
    for n, w in enumerate(existing, start=1):
        if w.expr == expr:
            turn.say("watch_exists", n=n, expr=expr)
            return
    if len(existing) >= MAX_WATCHES:
        turn.say("watch_limit", limit=MAX_WATCHES)
        return
    if _REGEX.search(expr) and not turn.is_admin:
        log_refusal("watch", chat_id=turn.chat_id, user_id=turn.user_id, reason="regex")
        turn.say("watch_regex_admin")
        return
    error = turn.services.rules.check_watch(expr, allow_regex=turn.is_admin)
    if error is not None:
        turn.say("watch_invalid", error=error)
        turn.say("watch_usage")
        return
    chats.add_watch(turn.services.conn, turn.chat_id, expr, thread_id=turn.thread_id, now=turn.now)
    turn.services.rules.watches_changed()
    turn.say("watch_added", n=len(existing) + 1, expr=expr)


async def unwatch(turn: Turn) -> None:
    conn = turn.services.conn
    existing = chats.watches(conn, turn.chat_id)
    if not existing:
        turn.say("unwatch_none")
        return
    arg = turn.text.lower()
    if arg == "all":
        with transaction(conn):
            for w in existing:
                chats.remove_watch(conn, w.id)
        turn.services.rules.watches_changed()
        turn.say("unwatched_all")
        return
    n = int(arg) if arg.isascii() and arg.isdecimal() else 0
    if not 1 <= n <= len(existing):
        turn.say("unwatch_usage", count=len(existing))
        return
    target = existing[n - 1]
    chats.remove_watch(conn, target.id)
    turn.services.rules.watches_changed()
    turn.say("unwatched", n=n, expr=target.expr)
