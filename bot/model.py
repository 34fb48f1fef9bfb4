"""Values that flow through Warta, stage by stage.

    RawEntry (ingest/parse) -> Article (ingest/normalize) -> MatchReport (analyze/rules)
      -> Story (pipeline: article + matched rules + key lines + other outlets)
      -> Translation (deliver/translate) -> RenderedMessage (deliver/format)
      -> outbox row (store/outbox) -> SendOutcome (deliver/telegram)

Every value here is immutable. Datetimes are aware and in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal, NewType

SourceId = NewType("SourceId", str)
RuleId = NewType("RuleId", str)
ChatId = NewType("ChatId", int)

Field = Literal["title", "summary", "content"]
FIELDS: tuple[Field, ...] = ("title", "summary", "content")


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """A news source to poll, from the config file or added in chat."""

    id: SourceId
    url: str
    interval: float = 300.0  # seconds
    language: str | None = None
    backfill: int = 0
    allow_private: bool = False
    full_text: bool = False
    name: str | None = None
    origin: Literal["config", "chat"] = "config"


@dataclass(frozen=True, slots=True, kw_only=True)
class RawEntry:
    """One item as the feed gave it: text fields may still hold HTML."""

    guid: str | None
    link: str | None
    title: str
    summary: str = ""
    content: str = ""
    published: datetime | None = None
    language: str | None = None  # an item-level xml:lang, if any


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedFeed:
    """A feed document after parsing."""

    title: str | None
    link: str | None
    language: str | None  # the feed's declared language, normalized ("id", "zh-tw")
    entries: tuple[RawEntry, ...]
    ttl_seconds: float | None = None  # RSS <ttl>, or sy:updatePeriod


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """One normalized news item: plain text, canonical URL, aware UTC time."""

    source_id: SourceId
    source_name: str
    guid: str
    url: str  # canonical: tracking parameters and fragment dropped, host lower-cased
    link: str  # as the feed gave it (absolute); this is what alerts link to
    title: str
    summary: str = ""
    content: str = ""
    published: datetime
    published_known: bool = True  # False when `published` is the first-seen time
    feed_language: str | None = None
    source_language: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyLine:
    """A sentence that carries hits; spans are (start, end) offsets of the hits in `text`."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleRef:
    """What an alert says about a rule that matched."""

    id: RuleId
    name: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Related:
    """The same story from an outlet in another language, as an alert names it: the headline
    in the alert's language, so a reader sees what was folded in."""

    source_name: str
    language: str | None
    title: str
    link: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Story:
    """A matched article, ready to translate and render."""

    article: Article
    language: str | None
    rules: tuple[RuleRef, ...]
    key_lines: tuple[KeyLine, ...]
    other_sources: tuple[str, ...] = ()  # names of other outlets that carried the same story
    story_id: str = ""  # stable id of the story cluster (dedup)
    entities: tuple[str, ...] = ()  # the rule entities the article names (`@` ids, sorted)
    related: tuple[Related, ...] = ()  # the story from outlets in other languages


@dataclass(frozen=True, slots=True, kw_only=True)
class Translation:
    """The headline and key lines in one target language."""

    target: str
    title: str | None
    key_lines: tuple[str, ...] = ()
    failed: bool = False  # every provider failed: render the original with a note
    provider: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatPrefs:
    """How one chat wants its alerts rendered."""

    chat_id: ChatId
    language: str | None  # None: never translate (/lang off)
    timezone: str = "UTC"
    link_preview: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderedMessage:
    """A Telegram message ready to send: HTML text under 4096 characters."""

    text: str
    parse_mode: Literal["HTML"] | None = "HTML"
    button_url: str | None = None
    button_text: str | None = None
    disable_preview: bool = True
    plain_text: str | None = None  # fallback when Telegram cannot parse the HTML

    def as_plain(self, text: str) -> RenderedMessage:
        """The same message as the plain `text` (Telegram refused its HTML)."""
        return replace(self, text=text, parse_mode=None, plain_text=None)


@dataclass(frozen=True, slots=True, kw_only=True)
class SendOutcome:
    """What Telegram said to one send, sorted into the cases delivery acts on."""

    kind: Literal[
        "sent",  # accepted; message_id set
        "retry_after",  # 429: wait retry_after seconds (scope: chat or global)
        "forbidden",  # 403: blocked, kicked, deactivated; stop sending to this chat
        "migrated",  # group became a supergroup: new_chat_id set
        "bad_html",  # "can't parse entities": resend as plain text
        "chat_not_found",
        "transient",  # 5xx, network error, timeout: retry with backoff
        "rejected",  # any other 400: will never succeed
    ]
    message_id: int | None = None
    retry_after: float | None = None
    new_chat_id: int | None = None
    description: str = ""
    extra: dict[str, str] = field(default_factory=dict)
