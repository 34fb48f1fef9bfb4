"""Chats, their subscriptions, personal rules (/watch), language, time zone and mute state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.store.db import Store

LANG_OFF = "off"  # stored in chats.language: never translate


@dataclass(frozen=True, slots=True, kw_only=True)
class Chat:
    id: int
    type: str
    title: str | None
    language: str | None  # None: translation.default_language; "off": never translate
    timezone: str
    muted_until: float | None
    blocked: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Subscription:
    chat_id: int
    target: str  # a rule id, a tag, or "all"
    thread_id: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Watch:
    id: int
    chat_id: int
    expr: str
    thread_id: int | None


def _chat(r: Any) -> Chat:
    return Chat(
        id=r["id"],
        type=r["type"],
        title=r["title"],
        language=r["language"],
        timezone=r["timezone"],
        muted_until=r["muted_until"],
        blocked=bool(r["blocked"]),
    )


def ensure_chat(
    conn: Store,
    chat_id: int,
    *,
    now: float,
    type: str = "private",
    title: str | None = None,
    language: str | None = None,
) -> tuple[Chat, bool]:
    """The chat's record, created on first contact with `language`; (chat, created)."""
    cur = conn.execute(
        "INSERT INTO chats (id, type, title, language, created_at, updated_at)"
        " VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING",
        (chat_id, type, title, language, now, now),
    )
    created = cur.rowcount == 1
    if not created:
        conn.execute(
            "UPDATE chats SET type = ?, title = COALESCE(?, title) WHERE id = ?",
            (type, title, chat_id),
        )
    chat = get_chat(conn, chat_id)
    assert chat is not None
    return chat, created


def get_chat(conn: Store, chat_id: int) -> Chat | None:
    r = conn.execute("SELECT * FROM chats WHERE id = ?", (chat_id,)).fetchone()
    return None if r is None else _chat(r)


def all_chats(conn: Store) -> list[Chat]:
    return [_chat(r) for r in conn.execute("SELECT * FROM chats ORDER BY id")]


def set_language(conn: Store, chat_id: int, language: str | None, now: float) -> None:
    conn.execute(
        "UPDATE chats SET language = ?, updated_at = ? WHERE id = ?", (language, now, chat_id)
    )


def set_timezone(conn: Store, chat_id: int, tz: str, now: float) -> None:
    conn.execute("UPDATE chats SET timezone = ?, updated_at = ? WHERE id = ?", (tz, now, chat_id))


def set_muted(conn: Store, chat_id: int, until: float | None, now: float) -> None:
    conn.execute(
        "UPDATE chats SET muted_until = ?, updated_at = ? WHERE id = ?", (until, now, chat_id)
    )


def set_blocked(conn: Store, chat_id: int, blocked: bool, now: float) -> None:
    """A blocked chat (403) loses its subscriptions and gets nothing until it sends /start."""
    conn.execute(
        "UPDATE chats SET blocked = ?, updated_at = ? WHERE id = ?", (int(blocked), now, chat_id)
    )
    if blocked:
        conn.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))


def migrate_chat(conn: Store, old: int, new: int, now: float) -> None:
    """A group became a supergroup: move the chat and everything that hangs off it to `new`."""
    if get_chat(conn, new) is not None:
        _move_rows(conn, "subscriptions", "target", old, new)
        conn.execute("UPDATE watches SET chat_id = ? WHERE chat_id = ?", (new, old))
        conn.execute("DELETE FROM chats WHERE id = ?", (old,))
    else:
        conn.execute(
            "UPDATE chats SET id = ?, type = 'supergroup', updated_at = ? WHERE id = ?",
            (new, now, old),
        )
    _move_rows(conn, "deliveries", "story_id", old, new)


def _move_rows(conn: Store, table: str, key: str, old: int, new: int) -> None:
    """Move a chat's rows to `new`, except those `new` has already (by `key`): they stay."""
    conn.execute(
        f"UPDATE {table} SET chat_id = ? WHERE chat_id = ? AND {key} NOT IN"  # noqa: S608
        f" (SELECT {key} FROM {table} WHERE chat_id = ?)",
        (new, old, new),
    )


# --- subscriptions ---------------------------------------------------------------------------


def subscribe(conn: Store, chat_id: int, target: str, *, thread_id: int | None, now: float) -> bool:
    """Add or re-route one subscription; False when it existed with the same routing."""
    cur = conn.execute(
        "INSERT INTO subscriptions (chat_id, target, thread_id, created_at) VALUES (?,?,?,?)"
        " ON CONFLICT (chat_id, target) DO UPDATE SET thread_id = excluded.thread_id"
        " WHERE subscriptions.thread_id IS DISTINCT FROM excluded.thread_id",
        (chat_id, target, thread_id, now),
    )
    return cur.rowcount > 0


def unsubscribe(conn: Store, chat_id: int, target: str) -> bool:
    if target == "all":
        cur = conn.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
    else:
        cur = conn.execute(
            "DELETE FROM subscriptions WHERE chat_id = ? AND target = ?", (chat_id, target)
        )
    return cur.rowcount > 0


def subscriptions(conn: Store, chat_id: int | None = None) -> list[Subscription]:
    """One chat's subscriptions, or every active (not blocked) chat's."""
    if chat_id is None:
        rows = conn.execute(
            "SELECT s.* FROM subscriptions s JOIN chats c ON c.id = s.chat_id"
            " WHERE c.blocked = 0 ORDER BY s.chat_id, s.target"
        )
    else:
        rows = conn.execute(
            "SELECT * FROM subscriptions WHERE chat_id = ? ORDER BY target", (chat_id,)
        )
    return [
        Subscription(chat_id=r["chat_id"], target=r["target"], thread_id=r["thread_id"])
        for r in rows
    ]


# --- personal rules --------------------------------------------------------------------------


def add_watch(conn: Store, chat_id: int, expr: str, *, thread_id: int | None, now: float) -> int:
    cur = conn.execute(
        "INSERT INTO watches (chat_id, expr, thread_id, created_at) VALUES (?,?,?,?) RETURNING id",
        (chat_id, expr, thread_id, now),
    )
    return int(cur.fetchone()[0])


def watches(conn: Store, chat_id: int | None = None) -> list[Watch]:
    """A chat's watches in the order they were added (the user numbers them 1..n), or all."""
    if chat_id is None:
        rows = conn.execute(
            "SELECT w.* FROM watches w JOIN chats c ON c.id = w.chat_id"
            " WHERE c.blocked = 0 ORDER BY w.id"
        )
    else:
        rows = conn.execute("SELECT * FROM watches WHERE chat_id = ? ORDER BY id", (chat_id,))
    return [
        Watch(id=r["id"], chat_id=r["chat_id"], expr=r["expr"], thread_id=r["thread_id"])
        for r in rows
    ]


def remove_watch(conn: Store, watch_id: int) -> bool:
    return conn.execute("DELETE FROM watches WHERE id = ?", (watch_id,)).rowcount > 0
