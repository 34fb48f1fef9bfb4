"""A local translation server: LibreTranslate-compatible, plus Google-, DeepL-, Microsoft- and
MyMemory-shaped endpoints, each answering what deep-translator's client for it requests and parses.

Translations are visible and deterministic: `"[<target>] " + text`, with the target code exactly as
the client sent it (so tests see the provider's code: `zh-Hans` for libre, `iw` for google); a
text in `phrasebook` (keyed by text and target) is answered with the translation given there.

- LibreTranslate: `POST /translate` (JSON or form; `q` a string or a list; `source` may be "auto";
  `target`; `api_key`), `GET /languages`; errors as the real server words them (`{"error": ...}`).
- Google: `GET /m?sl=..&tl=..&q=..` answers HTML with `<div class="t0">...</div>`, which is what
  deep-translator's GoogleTranslator requests and parses.
- DeepL: `GET /deepl/v2/translate?auth_key=..&source_lang=..&target_lang=..&text=..` answers
  `{"translations": [{"text": ...}]}`; a wrong `auth_key` is 403, as DeepL answers it.
- Microsoft: `POST /microsoft/translate?api-version=3.0&from=..&to=..` with `[{"text": ...}]` and
  the key in `Ocp-Apim-Subscription-Key`, answering `[{"translations": [{"text": ..., "to": ..}]}]`;
  a wrong key is 401 with `{"error": {...}}`. `GET /microsoft/languages` lists the languages.
- MyMemory: `GET /mymemory/get?q=..&langpair=SRC|TGT` answers `{"responseData": {"translatedText":
  ...}, "matches": []}`.
- Faults: `fail_next(n, kind, only=None)` with kind "429", "500", "garbage", "hang" or "drop" (the
  connection is closed without an answer), `only=` one of `ENDPOINTS` for one endpoint; `latency`
  seconds before each answer; `hold(text)` keeps a libre request carrying that text waiting
  (counted in `waiting`) until `release()`; `char_limit` on libre requests
  and `google_limit` on google texts (400 when exceeded). Counts requests and records texts seen.

Fixture: `translate_server` (a started server).
Stand-alone: `python -m tests.servers.translate --port N [--latency S]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import json
from collections import Counter, deque
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

LANGUAGES = {
    "en": "English", "id": "Indonesian", "ko": "Korean", "ru": "Russian", "de": "German",
    "ja": "Japanese", "fr": "French", "es": "Spanish", "ar": "Arabic", "he": "Hebrew",
    "zh-Hans": "Chinese", "zh-Hant": "Chinese (traditional)", "pt": "Portuguese",
    "pt-BR": "Portuguese (Brazil)", "nb": "Norwegian Bokmål", "uk": "Ukrainian", "vi": "Vietnamese",
}  # fmt: skip
FAULTS = ("429", "500", "garbage", "hang", "drop")
ENDPOINTS = {
    "libre": "/translate",
    "google": "/m",
    "deepl": "/deepl/v2/translate",
    "microsoft": "/microsoft/translate",
    "mymemory": "/mymemory/get",
}


class TranslateServer:
    """The server; `url` is the LibreTranslate base URL, `google_url` the Google-shaped endpoint."""

    def __init__(self, *, latency: float = 0.0, char_limit: int = 2000, api_key: str | None = None):
        self.latency = latency
        self.char_limit = char_limit
        self.google_limit = 1500
        self.api_key = api_key
        self.languages = dict(LANGUAGES)
        # (text, target code as the client sends it) -> a real translation, answered instead
        self.phrasebook: dict[tuple[str, str], str] = {}
        self.requests: Counter[str] = Counter()  # by path
        self.texts: list[str] = []  # every text received for translation, in order
        self.targets: list[str] = []  # the target code of every translate request
        self._faults: deque[tuple[str, str | None]] = deque()
        self._held: set[str] = set()
        self._released = asyncio.Event()
        self.waiting = 0  # libre requests held so far
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def google_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/m"

    def provider_url(self, provider: str) -> str:
        """The `url` to configure for a provider type to reach this server."""
        if provider == "libre":
            return self.url
        base = f"http://127.0.0.1:{self.port}"
        return base + ENDPOINTS[provider].removesuffix("/translate")

    @property
    def total(self) -> int:
        """Translation requests received, on every endpoint."""
        return sum(self.requests[path] for path in ENDPOINTS.values())

    def fail_next(self, n: int, kind: str, *, only: str | None = None) -> None:
        """The next `n` translation requests fail as `kind` (one of FAULTS); `only` (a key of
        `ENDPOINTS`) limits the faults to that endpoint."""
        assert kind in FAULTS, kind
        assert only is None or only in ENDPOINTS, only
        self._faults.extend([(kind, None if only is None else ENDPOINTS[only])] * n)

    def hold(self, text: str) -> None:
        """A libre request carrying `text` waits, answered only after `release()`."""
        self._held.add(text)

    def release(self) -> None:
        self._released.set()

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_post("/translate", self._libre)
        app.router.add_get("/languages", self._languages)
        app.router.add_get("/m", self._google)
        app.router.add_get(ENDPOINTS["deepl"], self._deepl)
        app.router.add_post(ENDPOINTS["microsoft"], self._microsoft)
        app.router.add_get("/microsoft/languages", self._microsoft_languages)
        app.router.add_get(ENDPOINTS["mymemory"], self._mymemory)
        # Google's GET carries the text in the URL: allow lines as long as a 1500-character query.
        self._runner = web.AppRunner(app, max_line_size=65536, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        self._stopping.set()  # releases hanging handlers
        self._released.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _fault(self, request: web.Request) -> web.StreamResponse | None:
        self.requests[request.path] += 1
        if self.latency:
            await asyncio.sleep(self.latency)
        due = next((f for f in self._faults if f[1] in (None, request.path)), None)
        if due is None:
            return None
        self._faults.remove(due)
        kind = due[0]
        if kind == "hang":  # until the server stops
            await self._stopping.wait()
            return web.Response(status=503)
        if kind == "drop":
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=503)  # never reaches the client
        if kind == "garbage":
            return web.Response(text="<html>Service Unavailable</html>", content_type="text/html")
        if kind == "429":
            return web.json_response({"error": "Slowdown: 5 per 1 minute"}, status=429)
        return web.json_response({"error": "Cannot translate text: model crashed"}, status=500)

    async def _languages(self, request: web.Request) -> web.Response:
        self.requests[request.path] += 1
        codes = list(self.languages)
        return web.json_response(
            [{"code": c, "name": n, "targets": codes} for c, n in self.languages.items()]
        )

    async def _libre(self, request: web.Request) -> web.StreamResponse:
        fault = await self._fault(request)
        if fault is not None:
            return fault
        args, bad = await _libre_args(request)
        if bad is not None:
            return bad
        if self.api_key and args.get("api_key") != self.api_key:
            return _error(403, "Invalid API key")
        for name in ("q", "source", "target"):
            if not args.get(name):
                return _error(400, f"Invalid request: missing {name} parameter")
        q = args["q"]
        texts = [str(t) for t in q] if isinstance(q, list) else [str(q)]
        size = sum(len(t) for t in texts)
        if self.char_limit != -1 and size > self.char_limit:
            return _error(
                400, f"Invalid request: request ({size}) exceeds text limit ({self.char_limit})"
            )
        if self._held.intersection(texts):
            self.waiting += 1
            await self._released.wait()
        source, target = str(args["source"]), str(args["target"])
        for code in (source, target):
            if code != "auto" and code not in self.languages:
                return _error(400, f"{code} is not supported")
        out = [self._translate(t, source, target) for t in texts]
        body: dict[str, Any] = {"translatedText": out if isinstance(q, list) else out[0]}
        if source == "auto":
            found = [{"confidence": 90.0, "language": _guess(t)} for t in texts]
            body["detectedLanguage"] = found if isinstance(q, list) else found[0]
        return web.json_response(body)

    async def _google(self, request: web.Request) -> web.StreamResponse:
        fault = await self._fault(request)
        if fault is not None:
            return fault
        text, target = request.query.get("q", ""), request.query.get("tl", "")
        if not target or len(text) > self.google_limit:
            return web.Response(status=400, text="<html>Bad Request</html>")
        translated = html.escape(self._translate(text, request.query.get("sl", "auto"), target))
        page = f'<html><body><div class="t0">{translated}</div></body></html>'
        return web.Response(text=page, content_type="text/html")

    async def _deepl(self, request: web.Request) -> web.StreamResponse:
        fault = await self._fault(request)
        if fault is not None:
            return fault
        q = request.query
        if self.api_key and q.get("auth_key") != self.api_key:
            return web.json_response({"message": "Authorization failure"}, status=403)
        if not q.get("target_lang") or "text" not in q:
            return web.json_response({"message": "Value for 'target_lang' not supported."}, 400)
        source = q.get("source_lang", "")
        out = self._translate(q["text"], source, q["target_lang"])
        return web.json_response(
            {"translations": [{"detected_source_language": source.upper(), "text": out}]}
        )

    async def _microsoft(self, request: web.Request) -> web.StreamResponse:
        fault = await self._fault(request)
        if fault is not None:
            return fault
        if self.api_key and request.headers.get("Ocp-Apim-Subscription-Key") != self.api_key:
            error = {"code": 401000, "message": "The request is not authorized."}
            return web.json_response({"error": error}, status=401)
        target, source = request.query.get("to", ""), request.query.get("from", "")
        body = await request.json()
        out = [
            {
                "translations": [
                    {"text": self._translate(item["text"], source, target), "to": target}
                ]
            }
            for item in body
        ]
        return web.json_response(out)

    async def _microsoft_languages(self, request: web.Request) -> web.Response:
        self.requests[request.path] += 1
        names = {code.lower(): {"name": name} for code, name in self.languages.items()}
        return web.json_response({"translation": names})

    async def _mymemory(self, request: web.Request) -> web.StreamResponse:
        fault = await self._fault(request)
        if fault is not None:
            return fault
        source, _, target = request.query.get("langpair", "").partition("|")
        out = self._translate(request.query.get("q", ""), source, target)
        return web.json_response(
            {
                "responseData": {"translatedText": out, "match": 1},
                "matches": [],
                "responseStatus": 200,
            }
        )

    def _translate(self, text: str, source: str, target: str) -> str:
        self.texts.append(text)
        self.targets.append(target)
        if (known := self.phrasebook.get((text, target))) is not None:
            return known
        return text if source == target else f"[{target}] {text}"


async def _libre_args(request: web.Request) -> tuple[dict[str, Any], web.Response | None]:
    if request.content_type == "application/json":
        try:
            data = json.loads(await request.text())
        except ValueError:
            return {}, _error(400, "Invalid JSON format")
        return (data, None) if isinstance(data, dict) else ({}, _error(400, "Invalid JSON format"))
    form = await request.post()
    args: dict[str, Any] = {k: form.get(k) for k in form}
    qs = form.getall("q", [])
    if len(qs) > 1:
        args["q"] = qs
    return args, None


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _guess(text: str) -> str:
    return "ko" if any("\uac00" <= ch <= "\ud7a3" for ch in text) else "en"


@pytest.fixture
async def translate_server() -> AsyncIterator[TranslateServer]:
    """A started local translation server on 127.0.0.1 (stopped after the test)."""
    server = TranslateServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def _serve(port: int, latency: float, char_limit: int) -> None:
    server = TranslateServer(latency=latency, char_limit=char_limit)
    await server.start(port)
    print(f"translate server on {server.url} (google: {server.google_url})", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--char-limit", type=int, default=2000, help="-1: no limit")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port, args.latency, args.char_limit))


if __name__ == "__main__":
    main()
