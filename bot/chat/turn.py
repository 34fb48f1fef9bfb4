"""One command as it arrived: where, from whom, in which language, and how to answer it.

`command(...)` wraps a feature's small async function `fn(turn)` into a PTB CommandHandler that
records the chat, checks who may give the command, and runs `fn`. Replies go through the
durable outbox (`services.replier`), split at Telegram's 4096-character limit.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from telegram import Message, Update
from telegram.ext import CommandHandler, ContextTypes, filters

from bot.chat import i18n
from bot.chat.access import Access, log_refusal
from bot.chat.help_texts import HELP
from bot.chat.services import ChatServices
from bot.deliver.langcodes import lookup
from bot.store import chats
from bot.store.chats import LANG_OFF, Chat

log = logging.getLogger(__name__)

MAX_MESSAGE = 4096
Policy = Literal["configure", "admin"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Turn:
    services: ChatServices
    access: Access
    chat: Chat  # the stored record, as it was when the command arrived
    user_id: int | None
    user_language: str | None  # the user's Telegram language_code
    thread_id: int | None  # the forum topic the command was sent in
    lang: str  # the language of the bot's replies
    command: str
    text: str  # everything after the command, stripped
    message: Message

    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def args(self) -> list[str]:
        return self.text.split()

    @property
    def now(self) -> float:
        return self.services.clock()

    @property
    def is_admin(self) -> bool:
        return self.access.is_admin(self.user_id)

    def tr(self, key: str, **values: object) -> str:
        return i18n.t(self.lang, key, **values)

    def say(self, key: str, **values: object) -> None:
        """Reply with one catalogue message."""
        self.send(self.tr(key, **values))

    def send(self, text: str, *, html: bool = True) -> None:
        """Reply with `text` (HTML whose tags never span lines), split into messages that fit."""
        for part in split_message(text):
            self.services.replier.reply(self.chat.id, part, thread_id=self.thread_id, html=html)


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Parts of at most `limit` characters, cut at line ends (in a long line, not in an entity)."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = _safe_cut(line, limit)
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            candidate = line
        current = candidate
    if current.strip():
        parts.append(current)
    return [p for p in parts if p.strip()]


def _safe_cut(line: str, limit: int) -> int:
    """Where to cut a long line of escaped text so no `&amp;`-style entity is split."""
    amp = line.rfind("&", max(0, limit - 10), limit)
    if amp > 0 and line.find(";", amp, limit) == -1:
        return amp
    return limit


def thread_of(message: Message) -> int | None:
    """The forum topic a message was sent in; None outside forum topics."""
    if message.message_thread_id is None:
        return None
    if message.is_topic_message or message.chat.is_forum:
        return message.message_thread_id
    return None


def start_language(services: ChatServices, language_code: str | None) -> str | None:
    """A new private chat's language: the user's, when translation supports it, else None."""
    if not language_code:
        return None
    code = language_code.lower().replace("_", "-")
    for candidate in dict.fromkeys((code, code.split("-")[0])):
        if services.supports_language(candidate):
            return candidate
    return None


def _language_choices(
    services: ChatServices, chat: Chat, user_language: str | None
) -> list[str | None]:
    if chat.language == LANG_OFF:
        return [user_language if chat.type == "private" else None, services.default_language]
    return [chat.language, services.default_language]


def reply_language(services: ChatServices, chat: Chat, user_language: str | None) -> str:
    """The language of the bot's replies: the chat's when the bot speaks it."""
    for choice in _language_choices(services, chat, user_language):
        if (lang := i18n.pick(choice)) is not None:
            return lang
    return "en"


def help_text(turn: Turn) -> str:
    """/start and /help in the first of the chat's languages the bot has a help in (English and
    Indonesian from the catalogue, like every reply; the others from `bot.chat.help_texts`)."""
    for choice in _language_choices(turn.services, turn.chat, turn.user_language):
        if (lang := i18n.pick(choice)) is not None:
            return _catalogue_help(lang, admin=turn.is_admin)
        if (text := help_in(choice, admin=turn.is_admin)) is not None:
            return text
    return _catalogue_help("en", admin=turn.is_admin)


def _catalogue_help(lang: str, *, admin: bool) -> str:
    text = i18n.t(lang, "help")
    return text + "\n" + i18n.t(lang, "help_admin") if admin else text


def help_in(language: str | None, *, admin: bool) -> str | None:
    """The help in `language` from `bot.chat.help_texts` (None where it has none)."""
    found = lookup(HELP, language)
    if found is None:
        return None
    return found[0] + ("\n" + found[1] if admin else "")


def open_turn(services: ChatServices, access: Access, message: Message, command: str) -> Turn:
    """Record the chat (created on first contact) and describe the command."""
    user = message.from_user
    user_language = user.language_code if user else None
    tg_chat = message.chat
    language = start_language(services, user_language) if tg_chat.type == "private" else None
    title = tg_chat.title or tg_chat.username or tg_chat.first_name
    chat, _ = chats.ensure_chat(
        services.conn,
        tg_chat.id,
        now=services.clock(),
        type=tg_chat.type,
        title=title,
        language=language,
    )
    raw = message.text or ""
    skip = message.entities[0].length if message.entities and message.entities[0].offset == 0 else 0
    rest = raw[skip:]
    return Turn(
        services=services,
        access=access,
        chat=chat,
        user_id=user.id if user else None,
        user_language=user_language,
        thread_id=thread_of(message),
        lang=reply_language(services, chat, user_language),
        command=command,
        text=rest.strip(),
        message=message,
    )


async def permitted(turn: Turn, policy: Policy, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Check the caller may give this command; a refused caller gets a short reply."""
    if policy == "admin":
        if turn.is_admin:
            return True
        verdict = "refused"
        key = "refused_admin"
    else:
        sender = turn.message.sender_chat
        verdict = await turn.access.may_configure(
            context.bot,
            chat_id=turn.chat_id,
            chat_type=turn.chat.type,
            user_id=turn.user_id,
            sender_chat_id=sender.id if sender else None,
        )
        if verdict == "allowed":
            return True
        key = "refused_group" if verdict == "refused" else "refused_unverified"
    log_refusal(turn.command, chat_id=turn.chat_id, user_id=turn.user_id, reason=verdict)
    turn.say(key)
    return False


Feature = Callable[[Turn], Awaitable[None]]


def command(
    name: str,
    fn: Feature,
    services: ChatServices,
    access: Access,
    *,
    policy: Policy = "configure",
    when_blocked: bool = False,
) -> CommandHandler[Any, None]:
    """A CommandHandler for /name running `fn` for callers the policy allows.

    In a chat that blocked the bot, only commands with `when_blocked` run; others get a hint.
    """

    async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message or update.channel_post
        if message is None or message.is_automatic_forward:
            return  # a channel post copied into its discussion group is not a command to us
        turn = open_turn(services, access, message, name)
        if not await permitted(turn, policy, context):
            return
        if turn.chat.blocked and not when_blocked:
            turn.say("blocked_hint")
            return
        try:
            await fn(turn)
        except Exception:  # one command's failure must not take the bot down: log, tell, go on
            log.exception("command failed", extra={"command": name, "chat_id": turn.chat_id})
            turn.say("failed")
            return
        log.info(
            "command", extra={"command": name, "chat_id": turn.chat_id, "user_id": turn.user_id}
        )

    # in a channel only its administrators can post, so a command there comes from one of them
    updates = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
    return CommandHandler(name, callback, filters=updates)
