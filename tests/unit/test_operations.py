"""Admin operations on real SQLite: the /unmute digest."""

from __future__ import annotations

from pathlib import Path

from bot.config import PollingConfig
from bot.model import RenderedMessage
from bot.operations import Operations
from bot.pipeline import Pipeline
from bot.rulebook import Rulebook
from bot.store import chats as chat_store
from bot.store import outbox
from bot.store.db import open_db

ROOT = Path(__file__).resolve().parents[2]


async def _unused_fetch(*_: object, **__: object) -> object:
    raise AssertionError("no fetch here")


def test_the_digest_header_is_in_the_language_the_alerts_were_written_in(tmp_path: Path) -> None:
    """A chat that never set /lang reads alerts in the default language: so does the header of
    its digest; a chat with /lang off reads originals, and English words around them."""
    conn = open_db(tmp_path / "w.db")
    pipeline = Pipeline(
        conn=conn, fetch=_unused_fetch, rules=Rulebook([ROOT / "rules"], conn).current,  # type: ignore[arg-type]
        translator=None, polling=PollingConfig(), default_language="id",
    )  # fmt: skip
    ops = Operations(
        conn=conn, pipeline=pipeline, rulebook=Rulebook([ROOT / "rules"], conn),
        config_path=None, config_sources=(), pause=lambda _: None, wake_relay=lambda: None,
        wake_poller=lambda: None,
    )  # fmt: skip
    for chat, language in ((1, None), (2, chat_store.LANG_OFF)):
        chat_store.ensure_chat(conn, chat, now=0.0, language=language)
        outbox.enqueue(
            conn, chat_id=chat, message=RenderedMessage(text="alert"), now=0.0, held=True
        )
        assert ops.release_digest(chat) == 1
    first, second = (r.message.text for r in outbox.claim_due(conn, now=1e12, limit=5))
    assert "peringatan yang ditahan" in first
    assert "Alerts held while this chat was muted: 1" in second
    conn.close()
