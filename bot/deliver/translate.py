"""Translate a Story's headline and key lines into a chat's language, once per target language.

    translate_story(story, target)
      -> in-flight coalescing (one job per story text + target, however many chats wait on it)
      -> cache (hash(text) + source + target, provider-independent)
      -> providers in configured order, each behind a circuit breaker:
           split long text at sentence boundaries within the provider's limit, batch the pieces,
           one request per batch under bounded concurrency (`pool_size`) and our own deadline
      -> Translation (failed=True when every provider failed: the alert goes out untranslated)

`libre` speaks LibreTranslate's HTTP API with aiohttp (JSON body, `q` as a list: batches, no URL
length limit, every language the server lists). `google`, `deepl`, `microsoft` and `mymemory` go
through deep-translator, which is synchronous and sets no timeout: its calls run in a bounded
ThreadPoolExecutor behind `asyncio.wait_for`, and a shim in its modules adds a socket timeout to
every `requests` call, so an abandoned thread ends soon after the deadline too.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import aiohttp
import deep_translator
import requests  # type: ignore[import-untyped]  # no stubs; only handed to deep-translator
from deep_translator import constants as dt_constants
from deep_translator.exceptions import LanguageNotSupportedException

from bot.errors import TranslationError
from bot.model import Story, Translation

log = logging.getLogger(__name__)

ProviderType = Literal["libre", "google", "deepl", "microsoft", "mymemory"]


@dataclass(frozen=True)
class ProviderConfig:
    """One entry of `translation.providers` in the config file."""

    type: ProviderType
    url: str | None = None
    api_key: str | None = None
    region: str | None = None


class TranslationCache(Protocol):
    """Where translated texts are kept (bot.store.translations.SqliteTranslationCache)."""

    def get_many(self, keys: Sequence[str]) -> dict[str, str]: ...

    # entries: (key, source language or None, target language, translated text)
    def put_many(self, entries: Sequence[tuple[str, str | None, str, str]]) -> None: ...


# ---------------------------------------------------------------------------------- language codes
# Our codes: lower-case ISO 639-1 where one exists; a region only where it changes the written
# language (zh-CN simplified, zh-TW traditional, pt-BR). Providers' own codes are mapped to and from.
_ALIASES = {
    "iw": "he", "in": "id", "ji": "yi", "jw": "jv", "nb": "no", "fil": "tl",
    "zh": "zh-CN", "zh-hans": "zh-CN", "zh-cn": "zh-CN", "zh-sg": "zh-CN", "zh-my": "zh-CN",
    "zh-hant": "zh-TW", "zh-tw": "zh-TW", "zh-hk": "zh-TW", "zh-mo": "zh-TW",
    "pt-br": "pt-BR", "pb": "pt-BR", "zt": "zh-TW",
}  # fmt: skip
_NO_SPACES = frozenset({"ja", "zh-CN", "zh-TW", "th", "lo", "km", "my"})


def canonical_language(code: str) -> str:
    """Warta's form of a language code: `zh-Hans`, `zh_cn`, `ZH` -> `zh-CN`; `iw` -> `he`; `en-US` -> `en`."""
    c = code.strip().replace("_", "-").lower()
    return _ALIASES.get(c) or _ALIASES.get(c.split("-")[0]) or c.split("-")[0]


def _code_map(native: Iterable[str]) -> dict[str, str]:
    """Our code -> the provider's code; among several (de-AT, de-DE) the bare or `xx-XX` one wins."""
    best: dict[str, tuple[int, str]] = {}
    for code in native:
        canon = canonical_language(code)
        parts = code.replace("_", "-").split("-")
        rank = 0 if len(parts) == 1 or code.lower() == canon.lower() else 1
        rank += 0 if len(parts) == 1 or parts[1].lower() == parts[0].lower() else 1
        if canon not in best or rank < best[canon][0]:
            best[canon] = (rank, code)
    codes = {canon: code for canon, (_, code) in best.items()}
    if "pt" in codes:
        codes.setdefault("pt-BR", codes["pt"])
    return codes


# ------------------------------------------------------------------------------------- splitting
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’»)\]]*\s+|[。！？]+[」』”’)]*\s*|\s*\n\s*")
_WORD = re.compile(r"\S+\s*")


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut after sentence ends (else between words, else
    anywhere); each piece keeps its trailing whitespace, so `"".join(pieces) == text`."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for unit in _units(text, limit):
        if current and len(current) + len(unit.rstrip()) > limit:
            pieces.append(current)
            current = ""
        current += unit
    if current:
        pieces.append(current)
    return pieces


def _units(text: str, limit: int) -> Iterable[str]:
    start = 0
    ends = [m.end() for m in _BOUNDARY.finditer(text)]
    for end in [*ends, len(text)]:
        sentence = text[start:end]
        start = end
        if len(sentence.rstrip()) <= limit:
            yield sentence
            continue
        for word in _WORD.findall(sentence) or [sentence]:
            for i in range(0, len(word), limit):
                yield word[i : i + limit]


def join_pieces(originals: Sequence[str], translated: Sequence[str], target: str) -> str:
    """Put translated pieces back together with the whitespace the originals were separated by."""
    out = ""
    for original, piece in zip(originals[:-1], translated[:-1], strict=True):
        gap = original[len(original.rstrip()) :]
        if "\n" in gap:
            sep = "\n"
        elif gap or re.search(r"[.!?…。！？]\W*$", original):
            sep = "" if target in _NO_SPACES else " "
        else:
            sep = ""  # cut inside a word
        out += piece.strip() + sep
    return out + translated[-1].strip()


def _batches(pieces: Sequence[str], max_chars: int, max_count: int) -> list[list[int]]:
    """Indexes of `pieces` grouped into requests of at most `max_chars` (total) and `max_count`."""
    groups: list[list[int]] = []
    size = 0
    for i, piece in enumerate(pieces):
        n = len(piece.strip())
        if not groups or len(groups[-1]) >= max_count or size + n > max_chars:
            groups.append([])
            size = 0
        groups[-1].append(i)
        size += n
    return groups


def cache_key(text: str, source: str | None, target: str) -> str:
    """The cache key: hash of the text, source language (`auto` when unknown), target language."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]
    return f"{digest}:{source or 'auto'}:{target}"


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
class _Failure(Exception):
    """The provider failed (HTTP error, garbage, network): counts against its breaker."""


class _Unsupported(Exception):
    """The provider cannot translate this language pair: try the next, breaker untouched."""


_socket_timeout = threading.local()


class _RequestsWithTimeout:
    """Stands in for `requests` inside deep-translator's modules: adds our timeout to each call."""

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", getattr(_socket_timeout, "value", 10.0))
        return requests.get(*args, **kwargs)

    def post(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", getattr(_socket_timeout, "value", 10.0))
        return requests.post(*args, **kwargs)


def _install_timeout_shim() -> None:
    for module in ("google", "deepl", "microsoft", "mymemory"):
        mod = getattr(deep_translator, module)
        if not isinstance(mod.requests, _RequestsWithTimeout):
            mod.requests = _RequestsWithTimeout()


class _Provider:
    """What the service needs of a provider; `codes` is None while its languages are unknown."""

    max_chars = 2000  # per request (all texts of a batch together)
    max_batch = 1  # texts per request
    codes: dict[str, str] | None = None

    def __init__(self, name: str, config: ProviderConfig) -> None:
        self.name = name
        self.config = config

    async def start(self, session: aiohttp.ClientSession, timeout: float) -> None:
        """Learn what it needs at start (languages); failure leaves `codes` unknown."""

    def native(self, code: str) -> str | None:
        """The provider's code for our `code`; None when it does not have that language."""
        if self.codes is None:
            return code
        return self.codes.get(code)

    async def call(self, texts: list[str], source: str, target: str, timeout: float) -> list[str]:
        raise NotImplementedError


class _Libre(_Provider):
    """LibreTranslate's HTTP API, spoken directly: POST /translate with `q` as a list."""

    max_chars = 2000  # libretranslate.com's char limit; self-hosted servers default to none
    max_batch = 50

    def __init__(self, name: str, config: ProviderConfig) -> None:
        super().__init__(name, config)
        self.url = (config.url or "http://127.0.0.1:5000/").rstrip("/") + "/"
        self.session: aiohttp.ClientSession | None = None

    async def start(self, session: aiohttp.ClientSession, timeout: float) -> None:
        self.session = session
        try:
            async with session.get(
                self.url + "languages", timeout=aiohttp.ClientTimeout(total=timeout)
            ) as resp:
                resp.raise_for_status()
                data = await resp.json(content_type=None)
            self.codes = _code_map(str(item["code"]) for item in data)
        except (aiohttp.ClientError, TimeoutError, ValueError, TypeError, KeyError) as e:
            log.warning("libre languages unavailable, trying every code: %r", e)

    async def call(self, texts: list[str], source: str, target: str, timeout: float) -> list[str]:
        if self.session is None:
            raise _Failure("not started")
        body: dict[str, Any] = {"q": texts, "source": source, "target": target, "format": "text"}
        if self.config.api_key:
            body["api_key"] = self.config.api_key
        try:
            async with self.session.post(
                self.url + "translate", json=body, timeout=aiohttp.ClientTimeout(total=timeout)
            ) as resp:
                status, raw = resp.status, await resp.read()
        except aiohttp.ClientError as e:
            raise _Failure(f"{type(e).__name__}: {e}") from e
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
            raise _Unsupported(message)
        raise _Failure(f"HTTP {status}: {message}")
    out = data.get("translatedText") if isinstance(data, dict) else None
    if isinstance(out, str) and count == 1:
        out = [out]
    if not isinstance(out, list) or len(out) != count or not all(isinstance(t, str) for t in out):
        raise _Failure(f"unexpected answer: {raw[:80]!r}")
    return out


_MS_LANGUAGES = "https://api.cognitive.microsofttranslator.com/languages?api-version=3.0"


class _MicrosoftTranslator(deep_translator.MicrosoftTranslator):  # type: ignore[misc]  # untyped
    """deep-translator's, minus the blocking language fetch in __init__ (done once, at start)."""

    language_codes: dict[str, str] = {}  # noqa: RUF012 (replaced, never mutated)

    def _get_supported_languages(self) -> dict[str, str]:
        return self.language_codes


class _DeepTranslator(_Provider):
    """A deep-translator class, one text per call, run in the pool with a socket timeout."""

    limits = {"google": 1500, "deepl": 5000, "microsoft": 5000, "mymemory": 160}
    static = {
        "google": dt_constants.GOOGLE_LANGUAGES_TO_CODES,
        "deepl": dt_constants.DEEPL_LANGUAGE_TO_CODE,
        "mymemory": dt_constants.MY_MEMORY_LANGUAGES_TO_CODES,
    }

    def __init__(self, name: str, config: ProviderConfig, pool: ThreadPoolExecutor) -> None:
        super().__init__(name, config)
        self.pool = pool
        self.max_chars = self.limits[config.type]
        if config.type in self.static:
            self.codes = _code_map(self.static[config.type].values())

    async def start(self, session: aiohttp.ClientSession, timeout: float) -> None:
        if self.config.type != "microsoft":
            return
        url = (self.config.url or "").rstrip("/") + "/languages?api-version=3.0"
        try:
            async with session.get(
                url if self.config.url else _MS_LANGUAGES,
                params={"scope": "translation"},
                timeout=aiohttp.ClientTimeout(total=timeout),
            ) as resp:
                resp.raise_for_status()
                found = list((await resp.json(content_type=None))["translation"])
            self.codes = _code_map(found)
        except (aiohttp.ClientError, TimeoutError, ValueError, TypeError, KeyError) as e:
            log.warning("microsoft languages unavailable: %r", e)

    async def call(self, texts: list[str], source: str, target: str, timeout: float) -> list[str]:
        loop = asyncio.get_running_loop()
        return [await loop.run_in_executor(self.pool, self._run, texts[0], source, target, timeout)]

    def _run(self, text: str, source: str, target: str, timeout: float) -> str:
        _socket_timeout.value = timeout
        try:
            result = self._build(source, target).translate(text)
        except LanguageNotSupportedException as e:
            raise _Unsupported(str(e).splitlines()[0]) from e
        except Exception as e:  # deep-translator raises anything from requests, bs4 and its own
            raise _Failure(f"{type(e).__name__}: {str(e)[:120]}") from e
        if not isinstance(result, str) or (text.strip() and not result.strip()):
            raise _Failure(f"unexpected answer: {result!r:.80}")
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
            t = _MicrosoftTranslator.__new__(_MicrosoftTranslator)
            t.language_codes = {x: x for x in (self.codes or {}).values() or (source, target)}
            t.__init__(source=source, target=target, api_key=c.api_key, region=c.region)
            url = url and url.rstrip("/") + "/translate?api-version=3.0"
        else:
            t = deep_translator.MyMemoryTranslator(source=source, target=target)
        if url:
            t._base_url = url
        return t
