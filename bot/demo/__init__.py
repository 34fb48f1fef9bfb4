"""`warta demo`: the main job, offline, on bundled feeds, with alerts printed to the console.

Five outlets in four languages (one story told by several of them, plus unrelated news) go
through the real pipeline: parsing, language detection, the shipped rules, cross-outlet dedup,
translation into each reader's language, rendering, the SQLite outbox. Only the two ends are
local: feeds are read from files and the outbox is drained to the terminal instead of Telegram.
Headlines and key lines are translated from a bundled glossary, since the demo has no network.
"""

from __future__ import annotations

import html
import re
import tempfile
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TextIO

import yaml

from bot.config import PollingConfig
from bot.ingest.fetch import FetchResult
from bot.model import Source, SourceId, Story, Translation
from bot.pipeline import Pipeline, update_source
from bot.rulebook import Rulebook
from bot.store import chats as chat_store
from bot.store import outbox
from bot.store import sources as source_store
from bot.store.db import Store, open_db

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC).timestamp()  # just after the sample news broke

SOURCES: tuple[tuple[str, str, str, str | None], ...] = (
    ("cnbc-indonesia", "https://www.cnbcindonesia.com/news/rss", "cnbc-indonesia.xml", "id"),
    ("antara", "https://www.antaranews.com/rss/terkini.xml", "antara.xml", None),
    ("yonhap", "https://www.yna.co.kr/rss/northkorea.xml", "yonhap.xml", None),
    ("ria", "https://ria.ru/export/rss2/world/index.xml", "ria.xml", None),
    ("asia-wire", "https://asiawire.example.com/feed.json", "wire.json", None),
)
READERS = (  # chat id, who, language
    (1001, "Ana in Jakarta", "id"),
    (1002, "Minjun in Seoul", "ko"),
    (1003, "Sam in London", "en"),
)


def _shipped_rules() -> Path:
    """The repository's rules/ folder (or the container image's /opt/warta/rules)."""
    for candidate in (Path(__file__).resolve().parents[2] / "rules", Path("/opt/warta/rules")):
        if candidate.is_dir():
            return candidate
    return Path("rules")


class FileFetcher:
    """Serves the bundled feed files for the demo sources' URLs."""

    def __init__(self) -> None:
        self.files = {url: name for _, url, name, _ in SOURCES}

    async def __call__(
        self, url: str, *, etag: str | None, last_modified: str | None, allow_private: bool
    ) -> FetchResult:
        name = self.files[url]
        body = resources.files("bot.demo").joinpath("feeds", name).read_bytes()
        kind = "application/feed+json" if name.endswith(".json") else "application/rss+xml"
        return FetchResult(
            status=200, body=body, final_url=url, permanent_url=None, etag=None,
            last_modified=None, charset=None, content_type=kind, not_modified=False,
            max_age=None, retry_after=None,
        )  # fmt: skip


class GlossaryTranslator:
    """Translates the sample headlines and key lines from the bundled glossary; a headline it
    lacks fails honestly (the alert says so), key lines it lacks stay in the original."""

    def __init__(self) -> None:
        text = resources.files("bot.demo").joinpath("glossary.yaml").read_text(encoding="utf-8")
        self.glossary: dict[str, dict[str, str]] = yaml.safe_load(text)

    async def translate_story(self, story: Story, target: str) -> Translation:
        title = self.glossary.get(story.article.title, {}).get(target)
        if title is None:
            return Translation(target=target, title=None, failed=True)
        lines = [self.glossary.get(k.text, {}).get(target) for k in story.key_lines]
        return Translation(
            target=target,
            title=title,
            key_lines=tuple(t for t in lines if t) if all(lines) else (),
            provider="demo glossary",
        )


async def run_demo(*, out: TextIO) -> int:
    with tempfile.TemporaryDirectory(prefix="warta-demo-") as tmp:
        conn = open_db(Path(tmp) / "demo.db")
        for chat_id, who, reads in READERS:
            chat_store.ensure_chat(conn, chat_id, now=NOW, title=who, language=reads)
            chat_store.subscribe(conn, chat_id, "all", thread_id=None, now=NOW)
        for sid, url, _, language in SOURCES:
            source = Source(id=SourceId(sid), url=url, language=language, backfill=10)
            source_store.upsert(conn, source, now=NOW)
        rulebook = Rulebook([_shipped_rules()], conn)
        pipeline = Pipeline(
            conn=conn, fetch=FileFetcher(), rules=rulebook.current,
            translator=GlossaryTranslator(), polling=PollingConfig(), default_language="en",
            clock=lambda: NOW,
        )  # fmt: skip
        out.write(f"Warta demo: {len(SOURCES)} bundled feeds, {len(rulebook.rules())} shipped "
                  f"rules, {len(READERS)} readers subscribed to all.\n\n")  # fmt: skip
        for sid, *_ in SOURCES:
            state = source_store.get(conn, sid)
            assert state is not None
            result = await update_source(state, pipeline)
            line = f"  {state.source.id:<15} {result.new_items} items, {result.matched} matched"
            out.write(line + (f" ({result.error})" if result.error else "") + "\n")
        _drain(conn, out)
        conn.close()
    return 0


def _drain(conn: Store, out: TextIO) -> None:
    readers = {chat_id: who for chat_id, who, _ in READERS}
    rows = outbox.claim_due(conn, now=NOW + 1, limit=10_000)
    out.write(f"\n{len(rows)} alerts, as each reader sees them in Telegram:\n")
    for row in sorted(rows, key=lambda r: (r.chat_id, r.id)):
        out.write(f"\n─── to {readers.get(row.chat_id, row.chat_id)} ───\n")
        out.write(console_text(row.message.text) + "\n")
        if row.message.button_url:
            out.write(f"[ {row.message.button_text or 'Open'} → {row.message.button_url} ]\n")
        outbox.ack(conn, row.id, message_id=row.id, now=NOW + 1)


_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


def console_text(message_html: str) -> str:
    """Telegram HTML as a terminal shows it: links with their address, tags dropped."""
    text = _TAG.sub("", _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", message_html))
    return html.unescape(text)
