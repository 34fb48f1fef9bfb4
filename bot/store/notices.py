"""Incidents admins were told about (a backlog, translation down, a source disabled): once each."""

from __future__ import annotations

from bot.store.db import Store


def record(conn: Store, incident: str, *, now: float) -> bool:
    """True when `incident` is new: the admins are to be told."""
    cur = conn.execute(
        "INSERT INTO notices (incident, notified_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (incident, now),
    )
    return cur.rowcount == 1


def forget(conn: Store, incident: str) -> None:
    """The incident ended: a new one is told again."""
    conn.execute("DELETE FROM notices WHERE incident = ?", (incident,))
