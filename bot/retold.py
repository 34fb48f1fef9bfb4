"""A story an outlet in another language retells: folded into the chat's earlier alert.

`find` decides, per recipient chat, whether a new story retells one of the chat's recent
alerts (`bot.analyze.crosslang` says how); `join` then adds the new outlet's headline, in the
chat's language, with its link, to that alert: rewritten while it waits in the outbox, edited
once sent, from what it was rendered from (`bot.deliver.snapshot`). So the reader gets one alert
for the story, and still sees every outlet's headline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.analyze.crosslang import (
    MIN_SHARED_ENTITIES,
    WINDOW,
    Headline,
    headline_terms,
    same_story,
)
from bot.analyze.engine import RuleSet
from bot.deliver import snapshot
from bot.deliver.format import MAX_RELATED
from bot.deliver.langcodes import canonical_language
from bot.deliver.translate import needs_translation
from bot.model import Related, Story, Translation
from bot.store import articles as article_store
from bot.store import outbox
from bot.store.db import Store

log = logging.getLogger("warta.retold")


@dataclass(frozen=True, slots=True)
class Twin:
    """The earlier alert (its outbox row) a new story joins in one chat, how it is named, and
    the language the comparison was made in (the alert's own must be the same)."""

    row_id: int
    related: Related
    language: str


@dataclass(frozen=True, slots=True)
class Recipient:
    """A chat a new story goes to: the language it reads (None: originals), the forum topic
    the story would go to, and the rules that bring it there."""

    language: str | None
    thread_id: int | None
    rules: frozenset[str]


def title_in(story: Story, translation: Translation | None, target: str | None) -> str | None:
    """The headline as a chat reading `target` sees it; None when it cannot be compared (the
    chat reads originals, or the translation failed or is into another language)."""
    if target is None:
        return None
    if not needs_translation(story.language, target):
        return story.article.title
    if translation is None or translation.failed or not translation.title:
        return None
    if canonical_language(translation.target) != canonical_language(target):
        return None
    return translation.title


def find(
    conn: Store,
    ruleset: RuleSet,
    story: Story,
    recipients: dict[int, Recipient],
    translations: dict[str, Translation],
    *,
    now: float,
) -> dict[int, Twin]:
    """Chat id -> the earlier alert `story` retells in that chat, for the chats where it does.

    Only alerts of the last `WINDOW`, in the same forum topic, rendered in the language the chat
    reads now. One snapshot of an earlier story decides for every chat when it names too few of
    the same entities, or its headline, in its own chat's language, is another story; else the
    story is read once per language (its alerts to chats of one language share their headline)
    and decided once per language and rules, not per chat."""
    if len(story.entities) < MIN_SHARED_ENTITIES or not recipients:
        return {}
    since = now - WINDOW
    found: dict[int, Twin] = {}
    terms: dict[tuple[str, str], frozenset[str]] = {}

    def terms_of(title: str, language: str) -> frozenset[str]:
        if (title, language) not in terms:
            terms[title, language] = headline_terms(ruleset, title, language)
        return terms[title, language]

    titles = {
        target: title_in(story, translations.get(target or ""), target)
        for target in {r.language for r in recipients.values()}
    }
    wanted = frozenset().union(*(r.rules for r in recipients.values()))
    entities = frozenset(story.entities)
    recent = article_store.recent_in_other_languages(
        conn, since=since, exclude=story.story_id, language=story.language
    )
    for story_id, earlier_story in recent.items():
        rules, named = earlier_story.rules, earlier_story.entities
        if not rules & wanted:
            continue
        if named is not None and len(entities & named) < MIN_SHARED_ENTITIES:
            continue  # its articles name too few of the same entities: no alert need be read
        alerts = outbox.story_alerts(conn, story_id, since=since)
        one = snapshot.kept(alerts[0].rendered_from) if alerts else None
        if one is None or len(entities & frozenset(one[0].entities)) < MIN_SHARED_ENTITIES:
            continue  # decided for every chat at once: most earlier stories end here
        earlier: dict[str, tuple[Story, Translation | None]] = {}
        old, old_translation, read_in = one[0], one[1], one[2].language
        if read_in is not None and (title := titles.get(read_in)) is not None:
            # read in that alert's language, it is not a retelling: for any chat, the rest do
            if not _retells(story, title, read_in, rules & wanted, old, old_translation, terms_of):
                continue
            earlier[read_in] = old, old_translation
        decided: dict[tuple[str, frozenset[str]], bool] = {}
        # newest first, each chat once with its first alert (as the rows were always read)
        for alert in {a.chat_id: a for a in reversed(alerts)}.values():
            recipient = recipients.get(alert.chat_id)
            if (
                alert.chat_id in found
                or recipient is None
                or recipient.thread_id != alert.thread_id
            ):
                continue
            target, common = recipient.language, rules & recipient.rules
            title = titles.get(target)
            if target is None or title is None or not common:
                continue
            key = (target, common)
            if key not in decided:
                if target not in earlier:
                    loaded = snapshot.kept(alert.rendered_from)
                    if loaded is None or loaded[2].language != target:
                        continue  # this chat's alert is in another language: not comparable
                    earlier[target] = loaded[0], loaded[1]
                decided[key] = _retells(story, title, target, common, *earlier[target], terms_of)
            if decided[key]:
                found[alert.chat_id] = Twin(alert.row_id, _related(story, title), target)
    return found


def _related(story: Story, title: str) -> Related:
    a = story.article
    return Related(source_name=a.source_name, language=story.language, title=title, link=a.link)


def _retells(
    story: Story,
    title: str,
    target: str,
    common: frozenset[str],
    old: Story,
    old_translation: Translation | None,
    terms_of: Callable[[str, str], frozenset[str]],
) -> bool:
    """Whether `story` (headline `title` in `target`) retells `old`, or one of the outlets in
    other languages already named under its alert."""
    new = Headline(story.language, common, frozenset(story.entities), terms_of(title, target))
    for old_title in (title_in(old, old_translation, target), *(r.title for r in old.related)):
        if old_title is not None:
            told = Headline(
                old.language, common, frozenset(old.entities), terms_of(old_title, target)
            )
            if same_story(new, told):
                return True
    return False


def join(conn: Store, chat_id: int, twin: Twin, *, now: float) -> bool:
    """Name `twin.related` in the earlier alert: rewritten while it waits, edited once sent.
    False when that cannot be done (the alert was forgotten, is in another language now, went
    into a digest or was never delivered, or names `MAX_RELATED` already): the caller then
    sends the story as an alert of its own."""
    found = snapshot.kept(outbox.rendered_from(conn, twin.row_id))
    if found is None or found[2].language != twin.language:
        return False
    story, translation, prefs = found
    if any(r.link == twin.related.link for r in story.related):
        return True
    if len(story.related) >= MAX_RELATED:
        return False
    story = replace(story, related=(*story.related, twin.related))
    if not snapshot.rerender(conn, twin.row_id, story, translation, prefs, now=now):
        return False
    log.info(
        "story retold in another language",
        extra={"chat": chat_id, "row": twin.row_id, "source": twin.related.source_name},
    )
    return True
