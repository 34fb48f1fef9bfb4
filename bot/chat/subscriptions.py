"""What a chat receives and how: /start /help /rules /subscribe /unsubscribe /list /lang /tz
/mute /unmute."""

from __future__ import annotations

import dataclasses
import functools
import html
import zoneinfo
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo

from bot.chat import i18n
from bot.chat.i18n import Safe
from bot.chat.turn import Turn, help_text, reply_language
from bot.store import chats
from bot.store.chats import LANG_OFF
from bot.store.db import transaction
from bot.yamlread import parse_duration

MAX_MUTE = 30 * 86400.0  # seconds
_EXAMPLES = 3  # rule ids and tags suggested when a target is unknown

RuleRow = tuple[str, str, tuple[str, ...]]


async def start(turn: Turn) -> None:
    if turn.chat.blocked:
        chats.set_blocked(turn.services.conn, turn.chat_id, False, turn.now)
        turn.say("welcome_back")
    await help_(turn)


async def help_(turn: Turn) -> None:
    turn.send(help_text(turn))


async def rules(turn: Turn) -> None:
    rows = turn.services.rules.rules()
    if not rows:
        turn.say("rules_none")
        return
    lines = [turn.tr("rules_header")]
    for rule_id, name, tags in rows:
        line = f"• <code>{_esc(rule_id)}</code> — {_esc(name)}"
        if tags:
            line += "  " + " ".join(f"#{_esc(tag)}" for tag in tags)
        lines.append(line)
    turn.send("\n".join(lines))


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def resolve_target(arg: str, rows: Sequence[RuleRow]) -> str | None:
    """The rule id or tag `arg` names (case-insensitive, `#tag` allowed), "all", or None."""
    key = arg.strip().lower().removeprefix("#")
    if key == "all":
        return "all"
    for rule_id, _, _ in rows:
        if rule_id.lower() == key:
            return rule_id
    for _, _, tags in rows:
        for tag in tags:
            if tag.lower() == key:
                return tag
    return None


def _examples(rows: Sequence[RuleRow]) -> str:
    ids = [r[0] for r in rows[:_EXAMPLES]]
    tags = list(dict.fromkeys(tag for r in rows for tag in r[2]))[:_EXAMPLES]
    return ", ".join(f"<code>{_esc(x)}</code>" for x in [*ids, *tags, "all"])


def _names(targets: Sequence[str]) -> Safe:
    return Safe(", ".join(f"<code>{_esc(x)}</code>" for x in targets))


async def subscribe(turn: Turn) -> None:
    if not turn.args:
        turn.say("subscribe_usage")
        return
    rows = turn.services.rules.rules()
    targets: list[str] = []
    for arg in turn.args:
        target = resolve_target(arg, rows)
        if target is None:
            turn.say("subscribe_unknown", target=arg, examples=Safe(_examples(rows)))
            return
        targets.append(target)
    targets = list(dict.fromkeys(targets))
    conn, now = turn.services.conn, turn.now
    with transaction(conn):
        changed = [
            t
            for t in targets
            if chats.subscribe(conn, turn.chat_id, t, thread_id=turn.thread_id, now=now)
        ]
    if not changed:
        turn.say("already_subscribed", targets=_names(targets))
    elif turn.thread_id is not None:
        turn.say("subscribed_topic", targets=_names(targets))
    else:
        turn.say("subscribed", targets=_names(targets))


async def unsubscribe(turn: Turn) -> None:
    if not turn.args:
        turn.say("unsubscribe_usage")
        return
    conn = turn.services.conn
    rows = turn.services.rules.rules()
    current = {s.target.lower(): s.target for s in chats.subscriptions(conn, turn.chat_id)}
    targets = [
        current.get(arg.lower().removeprefix("#")) or resolve_target(arg, rows) or arg
        for arg in turn.args
    ]
    if "all" in targets:  # everything, including a subscription to "all" itself
        targets = sorted(current.values()) or ["all"]
    with transaction(conn):
        removed = [t for t in targets if chats.unsubscribe(conn, turn.chat_id, t)]
    if removed:
        turn.say("unsubscribed", targets=_names(removed))
    else:
        now_subscribed = _names(sorted(current.values())) if current else turn.tr("none")
        turn.say("not_subscribed", targets=_names(targets), current=Safe(now_subscribed))


async def list_(turn: Turn) -> None:
    conn, chat = turn.services.conn, turn.chat
    subs = chats.subscriptions(conn, chat.id)
    items = [
        f"<code>{_esc(s.target)}</code>"
        + (f" ({turn.tr('list_topic', thread=s.thread_id)})" if s.thread_id is not None else "")
        for s in subs
    ]
    lines = [turn.tr("list_subscriptions", items=Safe(", ".join(items) or turn.tr("none")))]
    watches = chats.watches(conn, chat.id)
    if watches:
        lines.append(turn.tr("list_watches"))
        lines += [f"{n}. <code>{_esc(w.expr)}</code>" for n, w in enumerate(watches, start=1)]
    else:
        lines.append(turn.tr("list_no_watches"))
    if chat.language == LANG_OFF:
        lines.append(turn.tr("list_language_off"))
    else:
        code = chat.language or turn.services.default_language
        lines.append(turn.tr("list_language", language=i18n.language_name(code, turn.lang)))
    lines.append(turn.tr("list_timezone", tz=chat.timezone))
    if chat.muted_until is not None and chat.muted_until > turn.now:
        lines.append(turn.tr("list_muted", until=format_time(chat.muted_until, chat.timezone)))
    else:
        lines.append(turn.tr("list_not_muted"))
    turn.send("\n".join(lines))


async def lang(turn: Turn) -> None:
    services, chat = turn.services, turn.chat
    if not turn.args:
        if chat.language == LANG_OFF:
            turn.say("lang_current_off")
        else:
            code = chat.language or services.default_language
            turn.say("lang_current", language=i18n.language_name(code, turn.lang))
        return
    code = turn.args[0].lower().replace("_", "-")
    if len(turn.args) > 1 or (code != LANG_OFF and not services.supports_language(code)):
        turn.say("lang_unsupported", code=turn.text)
        return
    chats.set_language(services.conn, chat.id, code, turn.now)
    updated = dataclasses.replace(chat, language=code)
    turn = dataclasses.replace(
        turn, chat=updated, lang=reply_language(services, updated, turn.user_language)
    )
    if code == LANG_OFF:
        turn.say("lang_off")
    else:
        turn.say("lang_set", language=i18n.language_name(code, turn.lang))


@functools.cache
def _known_zones() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def resolve_zone(name: str) -> str | None:
    """The canonical name of time zone `name` (case-insensitive), or None if unknown."""
    if canonical := _known_zones().get(name.lower()):
        return canonical
    try:
        zoneinfo.ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return None
    return name


def _zone(name: str) -> tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return UTC


def format_time(ts: float, tz: str) -> str:
    return datetime.fromtimestamp(ts, _zone(tz)).strftime("%Y-%m-%d %H:%M %Z")


async def tz(turn: Turn) -> None:
    if len(turn.args) != 1:
        turn.say("tz_usage", tz=turn.chat.timezone)
        return
    zone = resolve_zone(turn.args[0])
    if zone is None:
        turn.say("tz_unknown", tz=turn.args[0])
        return
    chats.set_timezone(turn.services.conn, turn.chat_id, zone, turn.now)
    turn.say("tz_set", tz=zone)


async def mute(turn: Turn) -> None:
    try:
        seconds = parse_duration(turn.text) if len(turn.args) == 1 else 0.0
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= MAX_MUTE:
        turn.say("mute_usage")
        return
    until = turn.now + seconds
    chats.set_muted(turn.services.conn, turn.chat_id, until, turn.now)
    turn.say("muted", until=format_time(until, turn.chat.timezone))


async def unmute(turn: Turn) -> None:
    if turn.args:
        turn.say("no_arguments", command="unmute")
        return
    was_muted = turn.chat.muted_until is not None
    chats.set_muted(turn.services.conn, turn.chat_id, None, turn.now)
    count = turn.services.admin.release_digest(turn.chat_id)
    if count:
        turn.say("unmuted", count=count)
    elif was_muted:
        turn.say("unmuted_empty")
    else:
        turn.say("not_muted")
