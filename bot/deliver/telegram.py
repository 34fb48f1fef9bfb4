"""The one place that talks to python-telegram-bot for delivery and sorts its errors.

    TelegramSender.send/edit -> telegram.Bot -> SendOutcome (never raises for Telegram's answers)

    RetryAfter                          -> retry_after (seconds)
    NetworkError "Too Many Requests..."  -> retry_after (a 429 whose retry_after PTB could not read)
    Forbidden                           -> forbidden  (blocked, kicked, deactivated)
    ChatMigrated                        -> migrated   (new_chat_id)
    BadRequest "can't parse entities"   -> bad_html   (resend as plain text)
    BadRequest "chat not found"         -> chat_not_found
    BadRequest "message is not modified" on an edit -> sent (the chat shows that text already)
    TimedOut / NetworkError / 5xx       -> transient
    any other BadRequest / TelegramError -> rejected

The bot is built without PTB's rate limiter, so a 429 reaches the relay, which stores the delay.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import warnings

import telegram
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from bot.model import RenderedMessage, SendOutcome

# PTB 22 warns when RetryAfter.retry_after is read as an int; opt into its timedelta form.
os.environ.setdefault("PTB_TIMEDELTA", "true")
# httpx logs every request URL at INFO, and Bot API URLs contain the token.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

DEFAULT_RETRY_AFTER = 5.0  # a 429 that did not say how long to wait
_RETRY_AFTER_TEXT = re.compile(r"too many requests(?:: retry after (\d+(?:\.\d+)?))?", re.I)
_SERVER_ERROR = re.compile(r"\((5\d\d)\)|internal server error|bad gateway|unavailable", re.I)


def make_bot(token: str, api_base_url: str) -> telegram.Bot:
    """A Bot for `{api_base_url}/bot{token}/...` with bounded timeouts and no automatic retries."""
    request = HTTPXRequest(
        connection_pool_size=64,
        connect_timeout=10.0,
        read_timeout=20.0,
        write_timeout=20.0,
        pool_timeout=10.0,
    )
    updates = HTTPXRequest(connection_pool_size=2, connect_timeout=10.0, read_timeout=40.0)
    return telegram.Bot(
        token,
        base_url=f"{api_base_url.rstrip('/')}/bot",
        request=request,
        get_updates_request=updates,
    )


def retry_after_seconds(exc: RetryAfter) -> float:
    """RetryAfter's delay in seconds, whichever form (int or timedelta) PTB hands out."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def classify(exc: TelegramError) -> SendOutcome:
    """Sort one python-telegram-bot error into the case delivery acts on."""
    text = exc.message
    if isinstance(exc, RetryAfter):
        return SendOutcome(
            kind="retry_after", retry_after=retry_after_seconds(exc), description=text
        )
    if isinstance(exc, ChatMigrated):
        return SendOutcome(kind="migrated", new_chat_id=int(exc.new_chat_id), description=text)
    if isinstance(exc, Forbidden):
        return SendOutcome(kind="forbidden", description=text)
    if isinstance(exc, BadRequest):
        lowered = text.lower()
        if "can't parse entities" in lowered:
            return SendOutcome(kind="bad_html", description=text)
        if "chat not found" in lowered:
            return SendOutcome(kind="chat_not_found", description=text)
        return SendOutcome(kind="rejected", description=text)
    if isinstance(exc, (InvalidToken, EndPointNotFound)):
        return SendOutcome(kind="rejected", description=text)
    if isinstance(exc, NetworkError):  # TimedOut is a NetworkError too
        if (m := _RETRY_AFTER_TEXT.search(text)) is not None:
            seconds = float(m.group(1)) if m.group(1) else DEFAULT_RETRY_AFTER
            return SendOutcome(
                kind="retry_after", retry_after=seconds, description=text, extra={"guessed": "1"}
            )
        kind = "timeout" if isinstance(exc, TimedOut) else "network"
        if _SERVER_ERROR.search(text):
            kind = "server"
        return SendOutcome(kind="transient", description=text, extra={"cause": kind})
    return SendOutcome(kind="rejected", description=text)


class TelegramSender:
    """Sends rendered messages; every Telegram answer comes back as a SendOutcome."""

    def __init__(self, bot: telegram.Bot) -> None:
        self.bot = bot

    async def send(
        self, chat_id: int, message: RenderedMessage, *, thread_id: int | None = None
    ) -> SendOutcome:
        try:
            sent = await self.bot.send_message(
                chat_id,
                message.text,
                parse_mode=message.parse_mode,
                message_thread_id=thread_id,
                reply_markup=_markup(message),
                link_preview_options=telegram.LinkPreviewOptions(
                    is_disabled=message.disable_preview
                ),
            )
        except TelegramError as e:
            return classify(e)
        return SendOutcome(kind="sent", message_id=sent.message_id)

    async def edit(self, chat_id: int, message_id: int, message: RenderedMessage) -> SendOutcome:
        try:
            await self.bot.edit_message_text(
                message.text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=message.parse_mode,
                reply_markup=_markup(message),
                link_preview_options=telegram.LinkPreviewOptions(
                    is_disabled=message.disable_preview
                ),
            )
        except TelegramError as e:
            if isinstance(e, BadRequest) and "message is not modified" in e.message.lower():
                return SendOutcome(kind="sent", message_id=message_id)  # it shows that already
            return classify(e)
        return SendOutcome(kind="sent", message_id=message_id)


def _markup(message: RenderedMessage) -> telegram.InlineKeyboardMarkup | None:
    if not message.button_url:
        return None
    button = telegram.InlineKeyboardButton(message.button_text or "Open", url=message.button_url)
    return telegram.InlineKeyboardMarkup([[button]])
