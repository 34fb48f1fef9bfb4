"""Translation providers, each behind a circuit breaker (`Breaker`) kept by the service.

`libre` speaks LibreTranslate's HTTP API with aiohttp (JSON body, `q` as a list: batches, no URL
length limit, every language the server lists). `google`, `deepl`, `microsoft` and `mymemory` go
through deep-translator, which is synchronous and sets no timeout: its calls run in a bounded
ThreadPoolExecutor behind `asyncio.wait_for`, and a shim in its modules adds a socket timeout to
every `requests` call, so an abandoned thread ends soon after the deadline too.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ClassVar

import aiohttp
import deep_translator
import requests
from deep_translator import constants as dt_constants
from deep_translator.exceptions import LanguageNotSupportedException

from bot.deliver.langcodes import code_map

if TYPE_CHECKING:
    from bot.deliver.translate import ProviderConfig

log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------- circuit breaker
class Breaker:
    """Opens after `threshold` consecutive failures; after `cooldown` lets one probe through."""

    def __init__(self, threshold: int, cooldown: float, clock: Callable[[], float]) -> None:
        self._threshold = threshold
        self._cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        if self._probing or self._clock() - self._opened_at >= self._cooldown:
            return "half-open"
        return "open"

    def allow(self) -> bool:
        """May a request go to this provider now? In half-open state, only one at a time."""
        state = self.state
        if state == "closed":
            return True
        if state == "half-open" and not self._probing:
            self._probing = True
            return True
        return False

    def success(self) -> None:
        self._failures, self._opened_at, self._probing = 0, None, False

    def failure(self) -> None:
        self._failures += 1
        if self._probing or self._failures >= self._threshold:
            self._opened_at, self._probing = self._clock(), False

    def neutral(self) -> None:
        """The attempt said nothing about the provider's health (e.g. unsupported language)."""
        self._probing = False


# ------------------------------------------------------------------------------------ providers
class Failure(Exception):
    """The provider failed (HTTP error, garbage, network): counts against its breaker."""


class Unsupported(Exception):
    """The provider cannot translate this language pair: try the next, breaker untouched."""


_socket_timeout = threading.local()


class _RequestsWithTimeout:
    """Stands in for `requests` inside deep-translator's modules: adds our timeout to each call."""

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", getattr(_socket_timeout, "value", 10.0))
        return requests.get(*args, **kwargs)  # noqa: S113 (set above)

    def post(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", getattr(_socket_timeout, "value", 10.0))
        return requests.post(*args, **kwargs)  # noqa: S113 (set above)


def install_timeout_shim() -> None:
    for module in ("google", "deepl", "microsoft", "mymemory"):
        mod = getattr(deep_translator, module)
        if not isinstance(mod.requests, _RequestsWithTimeout):
            mod.requests = _RequestsWithTimeout()


class Provider:
    """What the service needs of a provider; `codes` is None while its languages are unknown."""

    max_chars = 2000  # per request (all texts of a batch together)
    max_batch = 1  # texts per request
    codes: dict[str, str] | None = None

    def __init__(self, name: str, config: ProviderConfig) -> None:
        self.name = name
        self.config = config

    async def start(self, session: aiohttp.ClientSession, deadline: float) -> None:
        """Learn what it needs at start (languages); failure leaves `codes` unknown."""

    def native(self, code: str) -> str | None:
        """The provider's code for our `code`; None when it does not have that language."""
        if self.codes is None:
            return code
        return self.codes.get(code)

    async def call(self, texts: list[str], source: str, target: str, deadline: float) -> list[str]:
        raise NotImplementedError


class Libre(Provider):
    """LibreTranslate's HTTP API, spoken directly: POST /translate with `q` as a list."""

    warned = False  # the languages list was found unavailable once already

    max_chars = 2000  # libretranslate.com's char limit; self-hosted servers default to none
    max_batch = 50

    def __init__(self, name: str, config: ProviderConfig) -> None:
        super().__init__(name, config)
        self.url = (config.url or "http://127.0.0.1:5000/").rstrip("/") + "/"
        self.session: aiohttp.ClientSession | None = None

    async def start(self, session: aiohttp.ClientSession, deadline: float) -> None:
        self.session = session
        try:
            async with session.get(
                self.url + "languages", timeout=aiohttp.ClientTimeout(total=deadline)
            ) as resp:
                resp.raise_for_status()
                data = await resp.json(content_type=None)
            self.codes = code_map(str(item["code"]) for item in data)
        except (aiohttp.ClientError, TimeoutError, ValueError, TypeError, KeyError) as e:
            level = logging.DEBUG if self.warned else logging.WARNING  # once, not every retry
            log.log(level, "libre languages unavailable, trying every code: %r", e)
            self.warned = True

    async def call(self, texts: list[str], source: str, target: str, deadline: float) -> list[str]:
        if self.session is None:
            raise Failure("not started")
        body: dict[str, Any] = {"q": texts, "source": source, "target": target, "format": "text"}
        if self.config.api_key:
            body["api_key"] = self.config.api_key
        try:
            async with self.session.post(
                self.url + "translate", json=body, timeout=aiohttp.ClientTimeout(total=deadline)
            ) as resp:
                status, raw = resp.status, await resp.read()
        except aiohttp.ClientError as e:
            raise Failure(f"{type(e).__name__}: {e}") from e
        return _parse_libre(status, raw, len(texts))


def _parse_libre(status: int, raw: bytes, count: int) -> list[str]:
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if status != 200:
        error = data.get("error") if isinstance(data, dict) else None
        message = str(error) if error else raw[:80].decode("utf-8", "replace")
        if status == 400 and ("is not supported" in message or "is not available" in message):
            raise Unsupported(message)
        raise Failure(f"HTTP {status}: {message}")
    out = data.get("translatedText") if isinstance(data, dict) else None
    if isinstance(out, str) and count == 1:
        out = [out]
    if not isinstance(out, list) or len(out) != count or not all(isinstance(t, str) for t in out):
        raise Failure(f"unexpected answer: {raw[:80]!r}")
    return out


_MS_LANGUAGES = "https://api.cognitive.microsofttranslator.com/languages?api-version=3.0"


class _MicrosoftTranslator(deep_translator.MicrosoftTranslator):  # type: ignore[misc]  # untyped
    """deep-translator's, minus the blocking language fetch in __init__ (done once, at start)."""

    def __init__(self, language_codes: dict[str, str], **kwargs: Any) -> None:
        self.language_codes = language_codes
        super().__init__(**kwargs)

    def _get_supported_languages(self) -> dict[str, str]:
        return self.language_codes


class DeepTranslator(Provider):
    """A deep-translator class, one text per call, run in the pool with a socket timeout."""

    limits: ClassVar[dict[str, int]] = {
        "google": 1500,
        "deepl": 5000,
        "microsoft": 5000,
        "mymemory": 160,
    }
    static: ClassVar[dict[str, dict[str, str]]] = {
        "google": dt_constants.GOOGLE_LANGUAGES_TO_CODES,
        "deepl": dt_constants.DEEPL_LANGUAGE_TO_CODE,
        "mymemory": dt_constants.MY_MEMORY_LANGUAGES_TO_CODES,
    }

    def __init__(self, name: str, config: ProviderConfig, pool: ThreadPoolExecutor) -> None:
        super().__init__(name, config)
        self.pool = pool
        self.max_chars = self.limits[config.type]
        if config.type in self.static:
            self.codes = code_map(self.static[config.type].values())

    async def start(self, session: aiohttp.ClientSession, deadline: float) -> None:
        if self.config.type != "microsoft":
            return
        url = (self.config.url or "").rstrip("/") + "/languages?api-version=3.0"
        try:
            async with session.get(
                url if self.config.url else _MS_LANGUAGES,
                params={"scope": "translation"},
                timeout=aiohttp.ClientTimeout(total=deadline),
            ) as resp:
                resp.raise_for_status()
                found = list((await resp.json(content_type=None))["translation"])
            self.codes = code_map(found)
        except (aiohttp.ClientError, TimeoutError, ValueError, TypeError, KeyError) as e:
            log.warning("microsoft languages unavailable: %r", e)

    async def call(self, texts: list[str], source: str, target: str, deadline: float) -> list[str]:
        loop = asyncio.get_running_loop()
        return [
            await loop.run_in_executor(self.pool, self._run, texts[0], source, target, deadline)
        ]

    def _run(self, text: str, source: str, target: str, timeout: float) -> str:
        _socket_timeout.value = timeout
        try:
            result = self._build(source, target).translate(text)
        except LanguageNotSupportedException as e:
            raise Unsupported(str(e).splitlines()[0]) from e
        except Exception as e:  # deep-translator raises anything from requests, bs4 and its own
            raise Failure(f"{type(e).__name__}: {str(e)[:120]}") from e
        if not isinstance(result, str) or (text.strip() and not result.strip()):
            raise Failure(f"unexpected answer: {result!r:.80}")
        return result

    def _build(self, source: str, target: str) -> Any:
        c, url = self.config, self.config.url
        if c.type == "google":
            t = deep_translator.GoogleTranslator(source=source, target=target)
        elif c.type == "deepl":
            free = (c.api_key or "").endswith(":fx")
            t = deep_translator.DeeplTranslator(source, target, c.api_key, use_free_api=free)
            url = url and url.rstrip("/") + "/"
        elif c.type == "microsoft":
            known = {x: x for x in (self.codes or {}).values() or (source, target)}
            t = _MicrosoftTranslator(
                known, source=source, target=target, api_key=c.api_key, region=c.region
            )
            url = url and url.rstrip("/") + "/translate?api-version=3.0"
        else:
            t = deep_translator.MyMemoryTranslator(source=source, target=target)
        if url:
            t._base_url = url
        return t
