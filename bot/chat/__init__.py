"""Chat commands (CONTRACT.md, "Chat commands"): one module per feature, combined here.

    handlers = build_handlers(services)          # add to the Application, in one group
    COMMANDS["id"], ADMIN_COMMANDS["en"], ...    # for setMyCommands (per language; admins' chats)

Every reply goes through `services.replier` (the durable, paced outbox). The last handler answers
unknown commands in private chats; add handlers of your own before it, or in another group.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from bot.chat import admin, subscriptions, watch
from bot.chat.access import Access
from bot.chat.i18n import LANGUAGES
from bot.chat.services import ChatServices
from bot.chat.turn import Feature, Policy, command, open_turn
from bot.store import chats, outbox
from bot.store.db import transaction

__all__ = ["ADMIN_COMMANDS", "COMMANDS", "ChatServices", "build_handlers"]

log = logging.getLogger(__name__)

# (command, feature, who may give it, runs in a chat that blocked the bot)
_TABLE: tuple[tuple[str, Feature, Policy, bool], ...] = (
    ("start", subscriptions.start, "configure", True),
    ("help", subscriptions.help_, "configure", False),
    ("rules", subscriptions.rules, "configure", False),
    ("subscribe", subscriptions.subscribe, "configure", False),
    ("unsubscribe", subscriptions.unsubscribe, "configure", False),
    ("list", subscriptions.list_, "configure", False),
    ("watch", watch.watch, "configure", False),
    ("unwatch", watch.unwatch, "configure", False),
    ("lang", subscriptions.lang, "configure", False),
    ("tz", subscriptions.tz, "configure", False),
    ("mute", subscriptions.mute, "configure", False),
    ("unmute", subscriptions.unmute, "configure", False),
    ("sources", admin.sources, "admin", True),
    ("addsource", admin.addsource, "admin", True),
    ("removesource", admin.removesource, "admin", True),
    ("refresh", admin.refresh, "admin", True),
    ("reload", admin.reload, "admin", True),
    ("test", admin.test, "admin", True),
    ("stats", admin.stats, "admin", True),
    ("pause", admin.pause, "admin", True),
    ("resume", admin.resume, "admin", True),
)

# the command menu's descriptions, in the order of LANGUAGES
_MENU: dict[str, tuple[str, str]] = {
    "start": ("What Warta does", "Apa itu Warta"),
    "help": ("How to use Warta", "Cara memakai Warta"),
    "rules": ("Rules to subscribe to", "Aturan yang bisa diikuti"),
    "subscribe": ("Receive alerts: ID, TAG or all", "Terima peringatan: ID, TAG atau all"),
    "unsubscribe": ("Stop alerts: ID, TAG or all", "Hentikan peringatan: ID, TAG atau all"),
    "list": ("This chat's settings", "Pengaturan obrolan ini"),
    "watch": ("Add a personal rule", "Tambah aturan pribadi"),
    "unwatch": ("Remove personal rule N", "Hapus aturan pribadi N"),
    "lang": ("Alert language, or off", "Bahasa peringatan, atau off"),
    "tz": ("Time zone, e.g. Asia/Jakarta", "Zona waktu, mis. Asia/Jakarta"),
    "mute": ("Hold alerts for a while, e.g. 2h", "Tahan peringatan sementara, mis. 2h"),
    "unmute": ("Send held alerts as a digest", "Kirim peringatan tertahan sebagai ringkasan"),
    "sources": ("Admin: every source's status", "Admin: status setiap sumber"),
    "addsource": ("Admin: add a source: URL [ID]", "Admin: tambah sumber: URL [ID]"),
    "removesource": ("Admin: remove a source", "Admin: hapus sumber"),
    "refresh": ("Admin: fetch one source or all now", "Admin: ambil sumber sekarang"),
    "reload": ("Admin: re-read rules and sources", "Admin: muat ulang aturan dan sumber"),
    "test": ("Admin: which rules match a text", "Admin: aturan yang cocok dengan teks"),
    "stats": ("Admin: counts", "Admin: statistik"),
    "pause": ("Admin: stop all delivery", "Admin: hentikan semua pengiriman"),
    "resume": ("Admin: restart delivery", "Admin: lanjutkan pengiriman"),
}


def _menu(lang: str, *, admins: bool) -> tuple[BotCommand, ...]:
    column = LANGUAGES.index(lang)
    return tuple(
        BotCommand(name, _MENU[name][column])
        for name, _, policy, _ in _TABLE
        if admins or policy != "admin"
    )


COMMANDS: Mapping[str, tuple[BotCommand, ...]] = {
    lang: _menu(lang, admins=False) for lang in LANGUAGES
}
"""The command menu per language code, for setMyCommands (use "en" as the default menu)."""

ADMIN_COMMANDS: Mapping[str, tuple[BotCommand, ...]] = {
    lang: _menu(lang, admins=True) for lang in LANGUAGES
}
"""The menu for configured admins' private chats (BotCommandScopeChat), per language code."""


def build_handlers(services: ChatServices) -> list[BaseHandler[Any, Any, Any]]:
    """Every chat command, the group→supergroup migration, and a reply to unknown commands."""
    access = Access(services.admins, clock=services.clock)
    handlers: list[BaseHandler[Any, Any, Any]] = [
        command(name, fn, services, access, policy=policy, when_blocked=when_blocked)
        for name, fn, policy, when_blocked in _TABLE
    ]
    handlers.append(_migration_handler(services, access))
    handlers.append(_unknown_handler(services, access))
    return handlers


def _migration_handler(services: ChatServices, access: Access) -> MessageHandler[Any, None]:
    """A group became a supergroup: its subscriptions, watches and queued messages follow it."""

    async def migrated(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        if message.migrate_to_chat_id is not None:
            old, new = message.chat.id, message.migrate_to_chat_id
        elif message.migrate_from_chat_id is not None:
            old, new = message.migrate_from_chat_id, message.chat.id
        else:
            return
        conn, now = services.conn, services.clock()
        with transaction(conn):
            chats.migrate_chat(conn, old, new, now)
            outbox.move_chat(conn, old, new)
        access.forget_chat(old)
        log.info("chat migrated", extra={"chat_id": new, "old_chat_id": old})

    return MessageHandler(filters.StatusUpdate.MIGRATE, migrated)


def _unknown_handler(services: ChatServices, access: Access) -> MessageHandler[Any, None]:
    async def unknown(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None:
            open_turn(services, access, update.message, "unknown").say("unknown_command")

    return MessageHandler(
        filters.COMMAND & filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE, unknown
    )
