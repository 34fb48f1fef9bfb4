"""A local Telegram Bot API server that enforces Telegram's rules, for tests and benchmarks.

It speaks the real protocol at `/bot{token}/{method}` (GET query, POST form, JSON or multipart, as
python-telegram-bot sends them) and answers `{"ok": true, "result": ...}` or Telegram's error shape
with the real error strings (`../shared/corpora/telegram-bot-api`).

Limits in strict mode (the default), counted on accepted sendMessage and editMessageText calls:
  * overall:   at most 30 messages in any 1 s window;
  * per chat:  at most 3 messages in any 3 s window (1 per second, with a burst of 3);
  * per group or channel (chat id < 0): in addition at most 20 messages in any 60 s window.
A call over a limit gets 429 "Too Many Requests: retry after N" with `parameters.retry_after` = N,
the whole seconds until the window has room again (at least 1). An injected 429 with a retry_after
bans that chat (or with `flood_all`, every chat) until it ends: calls before then get 429 again.

Stand-alone: `python -m tests.servers.botapi --port N [--token T] [--relaxed]`, with control
endpoints `GET /_test/sent`, `GET /_test/stats`, `POST /_test/update`, `POST /_test/block`,
`POST /_test/reset`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import pytest
from aiohttp import web

from tests.servers.botapi_html import HTMLParseError, parse_html

# python-telegram-bot warns when RetryAfter.retry_after is read as an int; opt into timedelta so
# that a 429 raises RetryAfter (not the warning, which pytest turns into an error).
os.environ.setdefault("PTB_TIMEDELTA", "true")

DEFAULT_TOKEN = "123456:TEST-TOKEN-abc"
GLOBAL_LIMIT = (30, 1.0)
CHAT_LIMIT = (3, 3.0)
GROUP_LIMIT = (20, 60.0)
MAX_TEXT = 4096
LIMITED_METHODS = frozenset({"sendmessage", "editmessagetext"})


class APIError(Exception):
    """An error answer: HTTP status, description, optional parameters."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message the server accepted (the latest text when it was edited)."""

    chat_id: int
    text: str  # as the bot sent it (HTML source when parse_mode is HTML)
    parse_mode: str | None
    thread_id: int | None
    reply_markup: dict[str, Any] | None
    message_id: int
    at: float  # the server clock (time.monotonic() + advance()) when accepted
    edited: bool = False
    plain: str = ""  # the text the user sees, after entity parsing
    entities: tuple[dict[str, Any], ...] = ()
    disable_preview: bool = False


@dataclass
class _Fault:
    remaining: int
    status: int
    retry_after: int | None
    hang: bool


@dataclass
class _ChatInfo:
    type: str
    title: str | None = None
    admins: set[int] = field(default_factory=set)
    creator: int | None = None


def _chat_type(chat_id: int) -> str:
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id <= -1_000_000_000_000 else "group"


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as e:
            raise APIError(400, "Bad Request: can't parse JSON object") from e
    return value


def _int(params: dict[str, Any], name: str, *, required: bool = False) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise APIError(400, f"Bad Request: {name.replace('_', ' ')} is not specified")
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as e:
        if name == "chat_id":
            raise APIError(400, "Bad Request: chat not found") from e
        raise APIError(400, f"Bad Request: invalid {name} specified") from e


def _bool(params: dict[str, Any], name: str) -> bool:
    value = params.get(name)
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


class _Windows:
    """Sliding windows of accepted-message times, one deque per scope."""

    def __init__(self) -> None:
        self.times: dict[object, deque[float]] = defaultdict(deque)

    def wait(self, scope: object, limit: tuple[int, float], now: float) -> float:
        count, span = limit
        q = self.times[scope]
        while q and q[0] <= now - span:
            q.popleft()
        return 0.0 if len(q) < count else q[0] + span - now

    def record(self, scopes: Iterable[object], now: float) -> None:
        for scope in scopes:
            self.times[scope].append(now)


class BotAPIServer:
    """The local Bot API; see the module docstring for its rules."""

    def __init__(self, *, token: str = DEFAULT_TOKEN, port: int = 0, strict: bool = True):
        self.token = token
        self.port = port
        self.strict = strict
        self.bot_id = int(token.split(":", 1)[0])
        self.too_many_requests = 0
        self.limit_violations = 0  # 429s caused by the limits (not injected)
        self.commands: list[dict[str, Any]] = []
        self.commands_by_scope: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.callback_answers: list[dict[str, Any]] = []
        self.requests: list[tuple[str, float]] = []  # (method, monotonic) of every API call
        self._sent: list[SentMessage] = []
        self._index: dict[tuple[int, int], int] = {}  # (chat_id, message_id) -> index in _sent
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._next_message_id: dict[int, int] = defaultdict(lambda: 1)
        self._chats: dict[int, _ChatInfo] = {}
        self._blocked: set[int] = set()
        self._unknown: set[int] = set()
        self._migrated: dict[int, int] = {}
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._bans: dict[int | None, float] = {}  # chat id (None: everyone) -> monotonic end
        self._windows = _Windows()
        self._update_event = asyncio.Event()
        self._sent_event = asyncio.Event()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._offset = 0.0

    def _now(self) -> float:
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the server's clock forward (rate windows and bans age without waiting)."""
        self._offset += seconds

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def api_root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.api_root}/bot"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/_test/sent", self._http_sent)
        app.router.add_get("/_test/stats", self._http_stats)
        app.router.add_post("/_test/update", self._http_update)
        app.router.add_post("/_test/block", self._http_block)
        app.router.add_post("/_test/reset", self._http_reset)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        self._closing.set()
        self._update_event.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- test controls -----------------------------------------------------------------------

    def relax(self) -> None:
        """Stop enforcing the rate limits (for tests that do not care about pacing)."""
        self.strict = False

    def push_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        language_code: str = "en",
        thread_id: int | None = None,
        title: str | None = None,
    ) -> int:
        """Queue an incoming text message for getUpdates; returns the update_id."""
        user = user_id if user_id is not None else chat_id
        info = self._chats.setdefault(chat_id, _ChatInfo(type=chat_type, title=title))
        info.type, info.title = chat_type, title or info.title
        message: dict[str, Any] = {
            "message_id": self._new_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat_json(chat_id),
            "from": {
                "id": user,
                "is_bot": False,
                "first_name": f"User{user}",
                "language_code": language_code,
            },
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            length = len(command.encode("utf-16-le")) // 2
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        return self._push_update({"message": message})

    def push_callback(self, chat_id: int, user_id: int, data: str, *, message_id: int = 1) -> int:
        """Queue a callback query (an inline button press); returns the update_id."""
        query = {
            "id": str(self._next_update_id),
            "from": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
            "chat_instance": str(chat_id),
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": self._chat_json(chat_id),
                "text": "",
            },
        }
        return self._push_update({"callback_query": query})

    def sent(self, chat_id: int | None = None) -> list[SentMessage]:
        """Accepted messages in order (edits replace the text in place)."""
        return [m for m in self._sent if chat_id is None or m.chat_id == chat_id]

    async def wait_sent(
        self,
        count: int,
        *,
        chat_id: int | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - the fixed API other tests call
    ) -> list[SentMessage]:
        """Wait until at least `count` messages were accepted (for `chat_id`); TimeoutError else."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(found := self.sent(chat_id)) < count:
            event = self._sent_event
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"expected {count} messages (chat {chat_id}), saw {len(found)}: "
                    f"{[(m.chat_id, m.text[:60]) for m in found]}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
        return found

    def block(self, chat_id: int) -> None:
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def set_unknown(self, chat_id: int) -> None:
        """Sends to this chat answer 400 "chat not found"."""
        self._unknown.add(chat_id)

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        self._migrated[chat_id] = new_chat_id
        old = self._chats.get(chat_id)
        self._chats[new_chat_id] = _ChatInfo(type="supergroup", title=old.title if old else None)

    def set_admins(
        self, chat_id: int, user_ids: Iterable[int], *, creator: int | None = None
    ) -> None:
        info = self._chats.setdefault(chat_id, _ChatInfo(type=_chat_type(chat_id)))
        info.admins = set(user_ids)
        info.creator = creator

    def fail_next(
        self,
        method: str,
        n: int,
        *,
        status: int = 500,
        retry_after: int | None = None,
        hang: bool = False,
    ) -> None:
        """The next `n` calls of `method` answer `status` (429: retry_after if given), or hang."""
        self._faults[method.lower()].append(_Fault(n, status, retry_after, hang))

    def flood_all(self, seconds: int) -> None:
        """Every limited call answers 429 retry_after for the next `seconds` (a bot-wide flood)."""
        self._bans[None] = self._now() + seconds

    def reset(self) -> None:
        """Forget sent messages, counters, bans and windows (chats and settings stay)."""
        self._sent.clear()
        self._index.clear()
        self.too_many_requests = self.limit_violations = 0
        self._bans.clear()
        self._windows = _Windows()
        self.requests.clear()

    # --- internals ---------------------------------------------------------------------------

    def _new_message_id(self, chat_id: int) -> int:
        mid = self._next_message_id[chat_id]
        self._next_message_id[chat_id] = mid + 1
        return mid

    def _push_update(self, update: dict[str, Any]) -> int:
        update["update_id"] = self._next_update_id
        self._next_update_id += 1
        self._updates.append(update)
        self._update_event.set()
        self._update_event = asyncio.Event()
        return int(update["update_id"])

    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        info = self._chats.get(chat_id) or _ChatInfo(type=_chat_type(chat_id))
        chat: dict[str, Any] = {"id": chat_id, "type": info.type}
        if info.type == "private":
            chat["first_name"] = f"User{chat_id}"
        else:
            chat["title"] = info.title or f"Group {chat_id}"
        return chat

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Warta Test",
            "username": "warta_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.requests.append((method, self._now()))
        try:
            if request.match_info["token"] != self.token:
                raise APIError(401, "Unauthorized")
            params = await self._params(request)
            await self._inject_fault(method.lower(), params)
            result = await self._dispatch(method.lower(), params)
        except APIError as e:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": e.code,
                "description": e.description,
            }
            if e.parameters:
                body["parameters"] = e.parameters
            if e.code == 429:
                self.too_many_requests += 1
            return web.json_response(body, status=e.code)
        return web.json_response({"ok": True, "result": result})

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method != "POST" or not request.can_read_body:
            return params
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError as e:
                raise APIError(400, "Bad Request: can't parse JSON object") from e
            if isinstance(body, dict):
                params.update(body)
            return params
        form = await request.post()
        for key, value in form.items():
            params[key] = value if isinstance(value, str) else value.file.read()
        return params

    async def _inject_fault(self, method: str, params: dict[str, Any]) -> None:
        faults = self._faults.get(method)
        if not faults:
            return
        fault = faults[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            faults.popleft()
        if fault.hang:
            await self._closing.wait()
            raise APIError(500, "Internal Server Error: server is closing")
        if fault.status == 429:
            if fault.retry_after is None:
                raise APIError(429, "Too Many Requests")
            chat_id = params.get("chat_id")
            if (
                self.strict
                and isinstance(chat_id, (int, str))
                and str(chat_id).lstrip("-").isdigit()
            ):
                self._bans[int(chat_id)] = self._now() + fault.retry_after
            raise APIError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
        descriptions = {
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Unavailable",
        }
        raise APIError(fault.status, descriptions.get(fault.status, f"Error {fault.status}"))

    async def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        handlers = {
            "getme": lambda p: self._bot_user(),
            "deletewebhook": lambda p: True,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": lambda p: True,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
            "answercallbackquery": self._answer_callback_query,
            "sendchataction": lambda p: True,
            "setmydescription": lambda p: True,
            "setmyshortdescription": lambda p: True,
            "setchatmenubutton": lambda p: True,
            "deletemessage": lambda p: True,
            "close": lambda p: True,
            "logout": lambda p: True,
        }
        if method == "getupdates":
            return await self._get_updates(params)
        handler = handlers.get(method)
        if handler is None:
            raise APIError(404, "Not Found: method not found")
        return handler(params)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = _int(params, "offset") or 0
        limit = min(max(_int(params, "limit") or 100, 1), 100)
        timeout = float(params.get("timeout") or 0)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._updates and not self._closing.is_set():
            event = self._update_event
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
        return self._updates[:limit]

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = _json_value(params.get("commands", "[]"))
        if not isinstance(commands, list):
            raise APIError(400, "Bad Request: can't parse commands JSON object")
        scope = json.dumps(_json_value(params.get("scope") or '{"type": "default"}'))
        self.commands = commands
        self.commands_by_scope[(scope, str(params.get("language_code") or ""))] = commands
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        scope = json.dumps(_json_value(params.get("scope") or '{"type": "default"}'))
        return self.commands_by_scope.get((scope, str(params.get("language_code") or "")), [])

    def _check_chat(self, chat_id: int) -> None:
        if chat_id in self._unknown:
            raise APIError(400, "Bad Request: chat not found")
        if chat_id in self._migrated:
            raise APIError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )
        if chat_id in self._blocked:
            if chat_id > 0:
                raise APIError(403, "Forbidden: bot was blocked by the user")
            kind = self._chats.get(chat_id, _ChatInfo(type=_chat_type(chat_id))).type
            raise APIError(403, f"Forbidden: bot was kicked from the {kind} chat")

    def _check_limits(self, chat_id: int) -> None:
        now = self._now()
        for scope in (chat_id, None):
            ban = self._bans.get(scope, 0.0)
            if ban > now:
                retry = max(1, math.ceil(ban - now))
                raise APIError(
                    429, f"Too Many Requests: retry after {retry}", {"retry_after": retry}
                )
        if not self.strict:
            return
        waits = [
            self._windows.wait("global", GLOBAL_LIMIT, now),
            self._windows.wait(("chat", chat_id), CHAT_LIMIT, now),
        ]
        if chat_id < 0:
            waits.append(self._windows.wait(("group", chat_id), GROUP_LIMIT, now))
        wait = max(waits)
        if wait > 0:
            self.limit_violations += 1
            retry = max(1, math.ceil(wait))
            raise APIError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})

    def _record(self, chat_id: int) -> float:
        now = self._now()
        scopes: list[object] = ["global", ("chat", chat_id)]
        if chat_id < 0:
            scopes.append(("group", chat_id))
        self._windows.record(scopes, now)
        return now

    def _parse_text(self, params: dict[str, Any]) -> tuple[str, str, list[dict[str, Any]]]:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise APIError(400, "Bad Request: message text is empty")
        parse_mode = params.get("parse_mode") or None
        entities: list[dict[str, Any]] = []
        plain = text
        if isinstance(parse_mode, str) and parse_mode.lower() == "html":
            try:
                plain, entities = parse_html(text)
            except HTMLParseError as e:
                raise APIError(400, f"Bad Request: can't parse entities: {e}") from e
        elif parse_mode is not None and parse_mode.lower() not in ("markdown", "markdownv2"):
            raise APIError(400, f"Bad Request: unsupported parse_mode {parse_mode}")
        if not plain.strip():
            raise APIError(400, "Bad Request: message text is empty")
        if len(plain.strip()) > MAX_TEXT:
            raise APIError(400, "Bad Request: message is too long")
        return text, plain, entities

    def _reply_markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        raw = params.get("reply_markup")
        if raw in (None, ""):
            return None
        try:
            markup = _json_value(raw)
        except APIError as e:
            raise APIError(400, "Bad Request: can't parse reply keyboard markup JSON object") from e
        if not isinstance(markup, dict):
            raise APIError(400, "Bad Request: object expected as reply markup")
        rows = markup.get("inline_keyboard")
        if rows is not None:
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise APIError(
                    400,
                    'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be'
                    " an Array of Arrays",
                )
            for button in (b for r in rows for b in r):
                if not isinstance(button, dict):
                    raise APIError(400, "Bad Request: inlineKeyboardButton must be an Object")
                if set(button) <= {"text"}:
                    raise APIError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
        return markup

    def _disable_preview(self, params: dict[str, Any]) -> bool:
        options = params.get("link_preview_options")
        if options not in (None, ""):
            value = _json_value(options)
            return isinstance(value, dict) and bool(value.get("is_disabled"))
        return _bool(params, "disable_web_page_preview")

    def _message_json(self, m: SentMessage) -> dict[str, Any]:
        out: dict[str, Any] = {
            "message_id": m.message_id,
            "date": int(time.time()),
            "chat": self._chat_json(m.chat_id),
            "from": self._bot_user(),
            "text": m.plain,
        }
        if m.entities:
            out["entities"] = list(m.entities)
        if m.thread_id is not None:
            out["message_thread_id"] = m.thread_id
            out["is_topic_message"] = True
        if m.reply_markup is not None:
            out["reply_markup"] = m.reply_markup
        if m.edited:
            out["edit_date"] = int(time.time())
        return out

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _int(params, "chat_id", required=True)
        assert chat_id is not None
        self._check_chat(chat_id)
        text, plain, entities = self._parse_text(params)
        markup = self._reply_markup(params)
        thread_id = _int(params, "message_thread_id")
        if thread_id is not None and self._chat_json(chat_id)["type"] == "private":
            raise APIError(400, "Bad Request: message thread not found")
        self._check_limits(chat_id)
        at = self._record(chat_id)
        message = SentMessage(
            chat_id=chat_id,
            text=text,
            parse_mode=params.get("parse_mode") or None,
            thread_id=thread_id,
            reply_markup=markup,
            message_id=self._new_message_id(chat_id),
            at=at,
            plain=plain,
            entities=tuple(entities),
            disable_preview=self._disable_preview(params),
        )
        self._index[(chat_id, message.message_id)] = len(self._sent)
        self._sent.append(message)
        self._sent_event.set()
        self._sent_event = asyncio.Event()
        return self._message_json(message)

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _int(params, "chat_id", required=True)
        message_id = _int(params, "message_id", required=True)
        assert chat_id is not None
        assert message_id is not None
        self._check_chat(chat_id)
        text, plain, entities = self._parse_text(params)
        markup = self._reply_markup(params)
        index = self._index.get((chat_id, message_id))
        if index is None:
            raise APIError(400, "Bad Request: message to edit not found")
        old = self._sent[index]
        if old.plain == plain and old.entities == tuple(entities) and old.reply_markup == markup:
            raise APIError(
                400,
                "Bad Request: message is not modified: specified new message content and reply"
                " markup are exactly the same as a current content and reply markup of the"
                " message",
            )
        self._check_limits(chat_id)
        self._record(chat_id)
        new = replace(
            old,
            text=text,
            plain=plain,
            entities=tuple(entities),
            reply_markup=markup,
            parse_mode=params.get("parse_mode") or None,
            edited=True,
        )
        self._sent[index] = new
        return self._message_json(new)

    def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _int(params, "chat_id", required=True)
        assert chat_id is not None
        self._check_chat(chat_id)
        chat = self._chat_json(chat_id)
        chat.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return chat

    def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _int(params, "chat_id", required=True)
        user_id = _int(params, "user_id", required=True)
        assert chat_id is not None
        assert user_id is not None
        self._check_chat(chat_id)
        user = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        info = self._chats.get(chat_id)
        if info is not None and info.creator == user_id:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if info is not None and user_id in info.admins:
            rights = [
                "can_manage_chat",
                "can_delete_messages",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_promote_members",
                "can_change_info",
                "can_invite_users",
                "can_post_stories",
                "can_edit_stories",
                "can_delete_stories",
            ]
            member: dict[str, Any] = {"status": "administrator", "user": user}
            member.update(can_be_edited=False, is_anonymous=False)
            member.update(dict.fromkeys(rights, True))
            return member
        return {"status": "member", "user": user}

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        if not params.get("callback_query_id"):
            raise APIError(400, "Bad Request: query is too old and response timeout expired or"
                           " query ID is invalid")  # fmt: skip
        self.callback_answers.append(dict(params))
        return True

    # --- HTTP control endpoints --------------------------------------------------------------

    async def _http_sent(self, request: web.Request) -> web.Response:
        chat = request.query.get("chat_id")
        return web.json_response([asdict(m) for m in self.sent(int(chat) if chat else None)])

    async def _http_stats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "sent": len(self._sent),
                "too_many_requests": self.too_many_requests,
                "limit_violations": self.limit_violations,
                "strict": self.strict,
            }
        )

    async def _http_update(self, request: web.Request) -> web.Response:
        body = await request.json()
        update_id = self.push_message(
            int(body["chat_id"]),
            str(body["text"]),
            user_id=body.get("user_id"),
            chat_type=body.get("chat_type", "private"),
            language_code=body.get("language_code", "en"),
            thread_id=body.get("thread_id"),
            title=body.get("title"),
        )
        return web.json_response({"update_id": update_id})

    async def _http_block(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.block(int(body["chat_id"]))
        return web.json_response({"ok": True})

    async def _http_reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({"ok": True})


@pytest.fixture
async def botapi() -> AsyncIterator[BotAPIServer]:
    """A started local Bot API server enforcing Telegram's limits (`.relax()` turns them off)."""
    server = BotAPIServer()
    await server.start()
    try:
        yield server
    finally:
        await server.close()


async def _serve(port: int, token: str, strict: bool) -> None:
    server = BotAPIServer(token=token, port=port, strict=strict)
    await server.start()
    print(f"Bot API listening on {server.api_root} (token {token})", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Local Telegram Bot API server for tests")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--relaxed", action="store_true", help="do not enforce rate limits")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port, args.token, not args.relaxed))


if __name__ == "__main__":
    main()
