"""What an alert was rendered from, kept with its outbox row as JSON.

A later outlet of the same story, or one retelling it in another language, renders the alert
again from this (`rerender`): rewritten while it waits in the outbox or, once sent, as an edit;
after a restart as well as before, since it lives in SQLite rather than in memory. The article's
full text is left out (rendering never shows it), and its summary unless the alert shows it (no
key lines), clipped. Rows forget their snapshot once the story's dedup window is over
(`bot.store.outbox.forget_renders`).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from bot.deliver.format import render_alert
from bot.model import (
    Article,
    ChatId,
    ChatPrefs,
    KeyLine,
    Related,
    RuleId,
    RuleRef,
    SourceId,
    Story,
    Translation,
)
from bot.store import outbox
from bot.store.db import Store

log = logging.getLogger("warta.snapshot")

VERSION = 1
SUMMARY_CHARS = 1000  # more than any alert shows


def dump(story: Story, translation: Translation | None, prefs: ChatPrefs) -> str:
    a = story.article
    data: dict[str, Any] = {
        "v": VERSION,
        "article": {
            "source_id": a.source_id, "source_name": a.source_name, "guid": a.guid,
            "url": a.url, "link": a.link, "title": a.title,
            "summary": "" if story.key_lines else a.summary[:SUMMARY_CHARS],
            "published": a.published.isoformat(), "published_known": a.published_known,
            "feed_language": a.feed_language, "source_language": a.source_language,
        },
        "language": story.language,
        "rules": [[r.id, r.name, list(r.tags)] for r in story.rules],
        "key_lines": [[k.text, [list(s) for s in k.spans]] for k in story.key_lines],
        "other_sources": list(story.other_sources),
        "story_id": story.story_id,
        "entities": list(story.entities),
        "related": [[r.source_name, r.language, r.title, r.link] for r in story.related],
        "translation": None if translation is None else {
            "target": translation.target, "title": translation.title,
            "key_lines": list(translation.key_lines), "failed": translation.failed,
            "provider": translation.provider,
        },
        "prefs": {
            "chat_id": prefs.chat_id, "language": prefs.language, "timezone": prefs.timezone,
            "link_preview": prefs.link_preview,
        },
    }  # fmt: skip
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def load(text: str) -> tuple[Story, Translation | None, ChatPrefs]:
    """The inverse of `dump`; ValueError (or KeyError) for anything else."""
    data = json.loads(text)
    if data.get("v") != VERSION:
        raise ValueError(f"unknown snapshot version {data.get('v')!r}")
    a = data["article"]
    article = Article(
        source_id=SourceId(a["source_id"]), source_name=a["source_name"], guid=a["guid"],
        url=a["url"], link=a["link"], title=a["title"], summary=a["summary"],
        published=datetime.fromisoformat(a["published"]), published_known=a["published_known"],
        feed_language=a["feed_language"], source_language=a["source_language"],
    )  # fmt: skip
    story = Story(
        article=article,
        language=data["language"],
        rules=tuple(RuleRef(id=RuleId(i), name=n, tags=tuple(t)) for i, n, t in data["rules"]),
        key_lines=tuple(
            KeyLine(text=t, spans=tuple((s[0], s[1]) for s in spans))
            for t, spans in data["key_lines"]
        ),
        other_sources=tuple(data["other_sources"]),
        story_id=data["story_id"],
        entities=tuple(data.get("entities", ())),  # rows written before they were kept
        related=tuple(
            Related(source_name=n, language=lang, title=t, link=u)
            for n, lang, t, u in data.get("related", ())
        ),
    )
    tr = data["translation"]
    translation = None if tr is None else Translation(
        target=tr["target"], title=tr["title"], key_lines=tuple(tr["key_lines"]),
        failed=tr["failed"], provider=tr["provider"],
    )  # fmt: skip
    p = data["prefs"]
    prefs = ChatPrefs(
        chat_id=ChatId(p["chat_id"]), language=p["language"], timezone=p["timezone"],
        link_preview=p["link_preview"],
    )  # fmt: skip
    return story, translation, prefs


Kept = tuple[Story, Translation | None, ChatPrefs]


def kept(text: str | None) -> Kept | None:
    """What a row was rendered from; None when nothing is kept (forgotten) or it cannot be
    read (written by another version: logged, and the alert is left as it is)."""
    if text is None:
        return None
    try:
        return load(text)
    except (ValueError, KeyError, TypeError) as e:
        log.warning("alert snapshot unreadable", extra={"error": repr(e)})
        return None


def rerender(
    conn: Store,
    row_id: int,
    story: Story,
    translation: Translation | None,
    prefs: ChatPrefs,
    *,
    now: float,
) -> bool:
    """The alert of `row_id` rendered again from a changed `story`: rewritten while it waits,
    edited once sent (`outbox.revise`), and what it was rendered from kept for the next time.
    False when the row can no longer change (it died, or went into a digest)."""
    if not outbox.revise(conn, row_id, render_alert(story, translation, prefs), now=now):
        return False
    outbox.set_rendered_from(conn, row_id, dump(story, translation, prefs))
    return True
