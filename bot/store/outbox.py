"""The durable outbox: rendered messages wait here until Telegram accepts them.

Rows move queued -> sent (or -> dead, or held while a chat is muted). The relay claims due rows in
order of priority and due time, sends, then acks or reschedules; a crash between send and ack
resends only that one message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from bot.model import RenderedMessage
from bot.store.db import Store

PRIORITY_REPLY = 0  # command replies go before alerts
PRIORITY_ALERT = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxRow:
    id: int
    chat_id: int
    thread_id: int | None
    kind: str
    story_id: str | None
    message: RenderedMessage
    attempts: int
    next_attempt_at: float
    created_at: float
    edit_of: int | None = None  # the Telegram message this row edits, instead of a new one


def _row(r: Any) -> OutboxRow:
    return OutboxRow(
        id=r["id"],
        chat_id=r["chat_id"],
        thread_id=r["thread_id"],
        kind=r["kind"],
        story_id=r["story_id"],
        message=RenderedMessage(
            text=r["text"],
            parse_mode=r["parse_mode"],
            plain_text=r["plain_text"],
            button_url=r["button_url"],
            button_text=r["button_text"],
            disable_preview=bool(r["disable_preview"]),
        ),
        attempts=r["attempts"],
        next_attempt_at=r["next_attempt_at"],
        created_at=r["created_at"],
        edit_of=r["edit_of"],
    )


def enqueue(
    conn: Store,
    *,
    chat_id: int,
    message: RenderedMessage,
    now: float,
    thread_id: int | None = None,
    kind: str = "alert",
    story_id: str | None = None,
    held: bool = False,
    priority: int | None = None,
    edit_of: int | None = None,
    rendered_from: str | None = None,
) -> int:
    """Insert one message; call inside the caller's transaction when it must be atomic with more.
    `rendered_from`: an alert's `bot.deliver.snapshot`, to render it again with later outlets."""
    if priority is None:
        priority = PRIORITY_REPLY if kind == "reply" else PRIORITY_ALERT
    cur = conn.execute(
        "INSERT INTO outbox (chat_id, thread_id, kind, priority, story_id, text, plain_text,"
        " parse_mode, button_url, button_text, disable_preview, status, next_attempt_at,"
        " created_at, edit_of, rendered_from)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
        (
            chat_id,
            thread_id,
            kind,
            priority,
            story_id,
            message.text,
            message.plain_text,
            message.parse_mode,
            message.button_url,
            message.button_text,
            int(message.disable_preview),
            "held" if held else "queued",
            now,
            now,
            edit_of,
            rendered_from,
        ),
    )
    return int(cur.fetchone()[0])


class StoryAlert(NamedTuple):
    """An alert of a story that can be rendered again: its row, the chat (the row's: it follows
    a group that became a supergroup), forum topic, and what it was rendered from."""

    row_id: int
    chat_id: int
    thread_id: int | None
    rendered_from: str


def story_alerts(conn: Store, story_id: str, *, since: float = 0.0) -> list[StoryAlert]:
    """The alerts of a story made since `since` that wait or were delivered (not dead, not
    folded into a digest) and can be rendered again, oldest first."""
    rows = conn.execute(
        "SELECT id, chat_id, thread_id, rendered_from FROM outbox WHERE story_id = ?"
        " AND kind = 'alert' AND status IN ('queued', 'held', 'sent') AND created_at >= ?"
        " AND rendered_from IS NOT NULL ORDER BY id",
        (story_id, since),
    ).fetchall()
    return [StoryAlert(int(r[0]), int(r[1]), r[2], str(r[3])) for r in rows]


def rendered_from(conn: Store, row_id: int) -> str | None:
    """What a row was rendered from (None once forgotten, or for a row that never had it)."""
    row = conn.execute("SELECT rendered_from FROM outbox WHERE id = ?", (row_id,)).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def set_rendered_from(conn: Store, row_id: int, snapshot: str) -> None:
    conn.execute("UPDATE outbox SET rendered_from = ? WHERE id = ?", (snapshot, row_id))


def claim_due(
    conn: Store, *, now: float, limit: int, exclude_chats: Sequence[int] = ()
) -> list[OutboxRow]:
    """Queued rows due by `now`, replies first, then oldest due first."""
    rows = conn.execute(
        "SELECT * FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?"
        " ORDER BY priority, next_attempt_at, id LIMIT ?",
        (now, limit + len(exclude_chats) * 4),
    ).fetchall()
    skip = set(exclude_chats)
    return [_row(r) for r in rows if r["chat_id"] not in skip][:limit]


def next_due_at(conn: Store) -> float | None:
    """When the earliest queued row becomes due, or None when nothing is queued."""
    row = conn.execute("SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'queued'").fetchone()
    return None if row[0] is None else float(row[0])


def ack(
    conn: Store,
    row_id: int,
    *,
    message_id: int | None,
    now: float,
    sent: RenderedMessage | None = None,
    chat_id: int | None = None,
) -> None:
    """Mark a row sent. `sent` is the message as it went out and `chat_id` the chat it went to:
    when the row (or, for an edit, the alert it edits) was revised while it was in flight, an
    edit brings the chat the latest text; a row whose chat became a supergroup meanwhile keeps
    no message id (it is the old group's)."""
    found = conn.execute("SELECT * FROM outbox WHERE id = ?", (row_id,)).fetchone()
    if found is not None and chat_id is not None and found["chat_id"] != chat_id:
        message_id = None
    conn.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?, attempts = attempts + 1,"
        " last_error = NULL WHERE id = ?",
        (now, message_id, row_id),
    )
    if sent is None or message_id is None or found is None:
        return
    row = _row(found)
    if row.kind == "alert":
        latest, edits = row.message, message_id
    elif row.kind == "edit" and row.edit_of is not None:
        shown = shown_row(conn, row.chat_id, row.edit_of)
        if shown is None:
            return
        latest, edits = shown.message, row.edit_of
    else:
        return
    if latest.text != sent.text:
        enqueue(
            conn, chat_id=row.chat_id, message=latest, now=now, kind="edit",
            story_id=row.story_id, edit_of=edits,
        )  # fmt: skip


def reschedule(conn: Store, row_id: int, *, at: float, error: str) -> None:
    conn.execute(
        "UPDATE outbox SET next_attempt_at = ?, attempts = attempts + 1, last_error = ?"
        " WHERE id = ?",
        (at, error[:500], row_id),
    )


def defer_chat(conn: Store, chat_id: int, *, until: float) -> None:
    """Push every queued row of a chat to at least `until` (a 429 for that chat)."""
    conn.execute(
        "UPDATE outbox SET next_attempt_at = ? WHERE chat_id = ? AND status = 'queued'"
        " AND next_attempt_at < ?",
        (until, chat_id, until),
    )


def kill(conn: Store, row_id: int, *, error: str) -> None:
    conn.execute(
        "UPDATE outbox SET status = 'dead', attempts = attempts + 1, last_error = ? WHERE id = ?",
        (error[:500], row_id),
    )


def kill_chat(conn: Store, chat_id: int, *, error: str) -> int:
    """Drop every queued or held row of a chat (blocked, kicked, not found)."""
    cur = conn.execute(
        "UPDATE outbox SET status = 'dead', last_error = ?"
        " WHERE chat_id = ? AND status IN ('queued', 'held')",
        (error[:500], chat_id),
    )
    return cur.rowcount


def move_chat(conn: Store, old: int, new: int) -> None:
    """A group became a supergroup: its queued and held rows follow it, but not its edits: their
    message ids are the old group's (in the supergroup they would name other messages)."""
    conn.execute(
        "UPDATE outbox SET status = 'dead', last_error = 'the group became a supergroup'"
        " WHERE chat_id = ? AND kind = 'edit' AND status = 'queued'",
        (old,),
    )
    conn.execute(
        "UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND status IN ('queued', 'held')",
        (new, old),
    )


def replace_message(conn: Store, row_id: int, message: RenderedMessage) -> None:
    """Rewrite a row's message whatever its status (e.g. as plain text after Telegram refused
    its HTML; a sent alert's latest text)."""
    _set_message(conn, row_id, message, "")


def _set_message(conn: Store, row_id: int, message: RenderedMessage, where: str) -> int:
    cur = conn.execute(
        f"UPDATE outbox SET text = ?, plain_text = ?, parse_mode = ? WHERE id = ?{where}",  # noqa: S608
        (message.text, message.plain_text, message.parse_mode, row_id),
    )
    return cur.rowcount


def held_rows(conn: Store, chat_id: int) -> list[OutboxRow]:
    rows = conn.execute(
        "SELECT * FROM outbox WHERE chat_id = ? AND status = 'held' ORDER BY id", (chat_id,)
    ).fetchall()
    return [_row(r) for r in rows]


def mark_digested(conn: Store, ids: Sequence[int]) -> None:
    conn.executemany("UPDATE outbox SET status = 'digested' WHERE id = ?", [(i,) for i in ids])


def depth(conn: Store) -> tuple[int, float | None]:
    """(rows queued, created_at of the oldest queued row)."""
    row = conn.execute(
        "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status = 'queued'"
    ).fetchone()
    return int(row[0]), (None if row[1] is None else float(row[1]))


def prune(conn: Store, *, before: float) -> int:
    cur = conn.execute(
        "DELETE FROM outbox WHERE status IN ('sent', 'dead', 'digested') AND created_at < ?",
        (before,),
    )
    return cur.rowcount


def recent_sends(conn: Store, *, since: float) -> list[tuple[int, float]]:
    """(chat id, time) of every message sent since `since`, oldest first: what Telegram's
    sliding windows still count, for a restarted relay to pace by."""
    rows = conn.execute(
        "SELECT chat_id, sent_at FROM outbox WHERE status = 'sent' AND sent_at >= ?"
        " ORDER BY sent_at",
        (since,),
    ).fetchall()
    return [(int(r[0]), float(r[1])) for r in rows]


def forget_renders(conn: Store, *, before: float) -> int:
    """Drop what alerts older than `before` were rendered from: no outlet joins their story."""
    cur = conn.execute(
        "UPDATE outbox SET rendered_from = NULL WHERE rendered_from IS NOT NULL AND created_at < ?",
        (before,),
    )
    return cur.rowcount


def revise(conn: Store, row_id: int, message: RenderedMessage, *, now: float) -> bool:
    """An alert's new text: rewritten while it waits; once sent, kept with the row and brought
    to the chat by an edit: none when the chat shows that text already, and no second one while
    an edit of it waits (that edit gets the new text and a fresh count of attempts; one in
    flight is followed up by `ack`). An alert that went out, or waits to go out, as plain text
    (Telegram refused its HTML) stays plain. False when neither can be done: the row died, went
    into a digest, or is gone."""
    found = conn.execute("SELECT * FROM outbox WHERE id = ?", (row_id,)).fetchone()
    if found is None:
        return False
    row = _row(found)
    if row.message.parse_mode is None and message.parse_mode is not None and message.plain_text:
        message = message.as_plain(message.plain_text)
    if rewrite_pending(conn, row_id, message):
        return True
    if found["status"] != "sent" or found["message_id"] is None:
        return False
    shown_id = int(found["message_id"])
    if row.message.text == message.text:
        return True
    replace_message(conn, row_id, message)
    shared = conn.execute(
        "UPDATE outbox SET text = ?, plain_text = ?, parse_mode = ?, attempts = 0"
        " WHERE chat_id = ? AND kind = 'edit' AND edit_of = ? AND status = 'queued'",
        (message.text, message.plain_text, message.parse_mode, row.chat_id, shown_id),
    )
    if shared.rowcount == 0:
        enqueue(
            conn, chat_id=row.chat_id, message=message, now=now, kind="edit",
            story_id=row.story_id, edit_of=shown_id,
        )  # fmt: skip
    return True


def shown_row(conn: Store, chat_id: int, message_id: int) -> OutboxRow | None:
    """The sent alert that became `message_id` in the chat, with its latest text: what an edit
    of it sends, whatever the order edits go out in (a retried older edit must not undo a newer
    one)."""
    found = conn.execute(
        "SELECT * FROM outbox WHERE chat_id = ? AND message_id = ? AND kind = 'alert'"
        " AND status = 'sent' ORDER BY id DESC LIMIT 1",
        (chat_id, message_id),
    ).fetchone()
    return None if found is None else _row(found)


def rewrite_pending(conn: Store, row_id: int, message: RenderedMessage) -> bool:
    """Replace a row's message while it has not been sent yet; False when it already went."""
    return _set_message(conn, row_id, message, " AND status IN ('queued', 'held')") == 1


# --- for the relay ---------------------------------------------------------------------------


def due_chats(
    conn: Store,
    *,
    now: float,
    exclude_chats: Sequence[int] = (),
    replies_only: bool = False,
) -> list[int]:
    """Chats with a row due, replies first, then oldest due first. Index-only: a few ms for a
    backlog of tens of thousands, so the relay can ask before every send."""
    where = "status = 'queued' AND next_attempt_at <= ?" + (
        " AND kind = 'reply'" if replies_only else ""
    )
    rows = conn.execute(
        f"SELECT chat_id, MIN(priority) AS p, MIN(next_attempt_at) AS due FROM outbox"  # noqa: S608
        f" WHERE {where} GROUP BY chat_id ORDER BY p, due",
        (now,),
    ).fetchall()
    skip = set(exclude_chats)
    return [r[0] for r in rows if r[0] not in skip]


def head(conn: Store, chat_id: int, *, now: float, replies_only: bool = False) -> OutboxRow | None:
    """A chat's next due row: its rows go out in order, one at a time."""
    where = "status = 'queued' AND chat_id = ? AND next_attempt_at <= ?" + (
        " AND kind = 'reply'" if replies_only else ""
    )
    row = conn.execute(
        f"SELECT * FROM outbox INDEXED BY outbox_chat_due WHERE {where}"  # noqa: S608
        " ORDER BY priority, next_attempt_at, id LIMIT 1",
        (chat_id, now),
    ).fetchone()
    return None if row is None else _row(row)


def next_due_after(conn: Store, now: float, *, replies_only: bool = False) -> float | None:
    """When the earliest queued row not yet due becomes due (None: there is none)."""
    row = conn.execute(
        "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'queued' AND next_attempt_at > ?"
        " AND (? = 0 OR kind = 'reply')",
        (now, int(replies_only)),
    ).fetchone()
    return None if row[0] is None else float(row[0])


def defer_all(conn: Store, *, until: float) -> None:
    """Push every queued row to at least `until` (a 429 for the whole bot)."""
    conn.execute(
        "UPDATE outbox SET next_attempt_at = ? WHERE status = 'queued' AND next_attempt_at < ?",
        (until, until),
    )


def get_row(conn: Store, row_id: int) -> tuple[OutboxRow, str] | None:
    """One row and its status."""
    r = conn.execute("SELECT * FROM outbox WHERE id = ?", (row_id,)).fetchone()
    return None if r is None else (_row(r), str(r["status"]))
