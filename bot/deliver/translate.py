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
from typing import Any, ClassVar, Literal, Protocol

import aiohttp
import deep_translator
import requests
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
# language (zh-CN simplified, zh-TW traditional, pt-BR). Providers' codes are mapped to and from.
_ALIASES = {
    "iw": "he", "in": "id", "ji": "yi", "jw": "jv", "nb": "no", "fil": "tl",
    "zh": "zh-CN", "zh-hans": "zh-CN", "zh-cn": "zh-CN", "zh-sg": "zh-CN", "zh-my": "zh-CN",
    "zh-hant": "zh-TW", "zh-tw": "zh-TW", "zh-hk": "zh-TW", "zh-mo": "zh-TW",
    "pt-br": "pt-BR", "pb": "pt-BR", "zt": "zh-TW",
}  # fmt: skip
_NO_SPACES = frozenset({"ja", "zh-CN", "zh-TW", "th", "lo", "km", "my"})


def canonical_language(code: str) -> str:
    """Warta's form of a code: `zh-Hans`, `zh_cn` -> `zh-CN`; `iw` -> `he`; `en-US` -> `en`."""
    c = code.strip().replace("_", "-").lower()
    return _ALIASES.get(c) or _ALIASES.get(c.split("-")[0]) or c.split("-")[0]


def _code_map(native: Iterable[str]) -> dict[str, str]:
    """Our code -> the provider's code; among several (de-AT, de-DE) the bare or `xx-XX` wins."""
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
_WORD = re.compile(r"\s*\S+\s*|\s+")


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
        return requests.get(*args, **kwargs)  # noqa: S113 (set above)

    def post(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", getattr(_socket_timeout, "value", 10.0))
        return requests.post(*args, **kwargs)  # noqa: S113 (set above)


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

    async def start(self, session: aiohttp.ClientSession, deadline: float) -> None:
        """Learn what it needs at start (languages); failure leaves `codes` unknown."""

    def native(self, code: str) -> str | None:
        """The provider's code for our `code`; None when it does not have that language."""
        if self.codes is None:
            return code
        return self.codes.get(code)

    async def call(self, texts: list[str], source: str, target: str, deadline: float) -> list[str]:
        raise NotImplementedError


class _Libre(_Provider):
    """LibreTranslate's HTTP API, spoken directly: POST /translate with `q` as a list."""

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
            self.codes = _code_map(str(item["code"]) for item in data)
        except (aiohttp.ClientError, TimeoutError, ValueError, TypeError, KeyError) as e:
            log.warning("libre languages unavailable, trying every code: %r", e)

    async def call(self, texts: list[str], source: str, target: str, deadline: float) -> list[str]:
        if self.session is None:
            raise _Failure("not started")
        body: dict[str, Any] = {"q": texts, "source": source, "target": target, "format": "text"}
        if self.config.api_key:
            body["api_key"] = self.config.api_key
        try:
            async with self.session.post(
                self.url + "translate", json=body, timeout=aiohttp.ClientTimeout(total=deadline)
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

    def __init__(self, language_codes: dict[str, str], **kwargs: Any) -> None:
        self.language_codes = language_codes
        super().__init__(**kwargs)

    def _get_supported_languages(self) -> dict[str, str]:
        return self.language_codes


class _DeepTranslator(_Provider):
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
            self.codes = _code_map(self.static[config.type].values())

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
            self.codes = _code_map(found)
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


# -------------------------------------------------------------------------------------- service
class TranslationService:
    """Translates stories for delivery; see the module docstring for the path a text takes."""

    def __init__(
        self,
        providers: Sequence[ProviderConfig],
        *,
        cache: TranslationCache | None,
        timeout: float = 10.0,
        pool_size: int = 4,
        breaker_threshold: int = 3,
        breaker_cooldown: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        _install_timeout_shim()
        self._pool = ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="translate")
        self._slots = asyncio.Semaphore(pool_size)
        self._providers: list[_Provider] = []
        for i, config in enumerate(providers):
            name = (
                config.type
                if i == 0 or all(p.config.type != config.type for p in self._providers)
                else f"{config.type}#{i + 1}"
            )
            provider: _Provider = (
                _Libre(name, config)
                if config.type == "libre"
                else _DeepTranslator(name, config, self._pool)
            )
            self._providers.append(provider)
        self._breakers = {
            p.name: Breaker(breaker_threshold, breaker_cooldown, clock) for p in self._providers
        }
        self._cache = cache
        self._timeout = timeout
        self._inflight: dict[str, asyncio.Future[Translation]] = {}
        self.requests = 0  # requests sent to providers (a batch of texts is one)
        self.failures = 0  # requests that failed or timed out
        self.cache_hits = 0  # texts found in the cache
        self.cache_misses = 0  # texts that had to be translated

    async def start(self, session: aiohttp.ClientSession) -> None:
        """Learn the providers' languages (libre: GET /languages); a failure is not fatal."""
        for provider in self._providers:
            await provider.start(session, self._timeout)

    async def close(self) -> None:
        """Stop waiting for anything in flight and release the threads."""
        for future in list(self._inflight.values()):
            future.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def supported_languages(self) -> frozenset[str]:
        """Every language some configured provider can translate into (our canonical codes)."""
        return frozenset(code for p in self._providers for code in (p.codes or {}))

    def supports(self, code: str) -> bool:
        """Whether `/lang CODE` is acceptable."""
        return canonical_language(code) in self.supported_languages()

    def provider_states(self) -> dict[str, str]:
        """Each provider's breaker: "closed", "open" or "half-open" (for /healthz)."""
        return {name: breaker.state for name, breaker in self._breakers.items()}

    async def translate_story(self, story: Story, target: str) -> Translation:
        """Headline and key lines in `target`; never raises for a provider outage (failed=True).

        Returns `Translation(title=None)` with nothing translated when the story is already in
        `target`. Concurrent calls for the same story text and target share one translation.
        """
        texts = [story.article.title, *(line.text for line in story.key_lines)]
        source = canonical_language(story.language) if story.language else None
        target = canonical_language(target)
        if source == target:
            return Translation(target=target, title=None)
        key = cache_key("\x00".join(texts), source, target)
        future = self._inflight.get(key)
        if future is None:
            future = asyncio.ensure_future(self._story(texts, source, target))
            self._inflight[key] = future
            future.add_done_callback(lambda _: self._inflight.pop(key, None))
        return await asyncio.shield(future)

    async def _story(self, texts: list[str], source: str | None, target: str) -> Translation:
        try:
            out, provider = await self._translate(texts, source, target)
        except TranslationError as e:
            log.warning("translation to %s failed: %s", target, e)
            return Translation(target=target, title=None, failed=True)
        return Translation(target=target, title=out[0], key_lines=tuple(out[1:]), provider=provider)

    async def translate_texts(
        self, texts: Sequence[str], *, source: str | None, target: str
    ) -> list[str]:
        """`texts` in `target` (cached); raises TranslationError when every provider fails."""
        src = canonical_language(source) if source else None
        out, _ = await self._translate(list(texts), src, canonical_language(target))
        return out

    async def _translate(
        self, texts: list[str], source: str | None, target: str
    ) -> tuple[list[str], str | None]:
        if source == target:
            return texts, None
        wanted = list(dict.fromkeys(t for t in texts if t.strip()))
        keys = {t: cache_key(t, source, target) for t in wanted}
        hits = self._cache.get_many(list(keys.values())) if self._cache is not None and keys else {}
        done = {t: hits[k] for t, k in keys.items() if k in hits}
        missing = [t for t in wanted if t not in done]
        self.cache_hits += len(done)
        self.cache_misses += len(missing)
        provider = "cache" if done else None
        if missing:
            translated, provider = await self._via_providers(missing, source, target)
            done.update(zip(missing, translated, strict=True))
            if self._cache is not None:
                self._cache.put_many([(keys[t], source, target, done[t]) for t in missing])
        return [done.get(t, t) for t in texts], provider

    async def _via_providers(
        self, texts: list[str], source: str | None, target: str
    ) -> tuple[list[str], str]:
        reasons: list[str] = []
        for provider in self._providers:
            breaker = self._breakers[provider.name]
            if provider.native(target) is None:
                reasons.append(f"{provider.name}: no {target}")
                continue
            if not breaker.allow():
                reasons.append(f"{provider.name}: circuit open")
                continue
            try:
                out = await self._with(provider, texts, source, target)
            except _Unsupported as e:
                breaker.neutral()
                reasons.append(f"{provider.name}: {e}")
                continue
            except (_Failure, TimeoutError) as e:
                breaker.failure()
                reasons.append(f"{provider.name}: {_describe(e)}")
                log.warning("translation provider %s failed: %s", provider.name, _describe(e))
                continue
            breaker.success()
            return out, provider.name
        raise TranslationError("; ".join(reasons) or "no translation provider configured")

    async def _with(
        self, provider: _Provider, texts: list[str], source: str | None, target: str
    ) -> list[str]:
        """Split, batch, send concurrently, reassemble; any failed batch fails the whole."""
        src = (provider.native(source) if source else None) or "auto"
        tgt = provider.native(target) or target
        pieces = [split_text(t, provider.max_chars) for t in texts]
        flat = [piece for text_pieces in pieces for piece in text_pieces]
        groups = _batches(flat, provider.max_chars, provider.max_batch)
        try:
            async with asyncio.TaskGroup() as tg:
                tasks = [
                    tg.create_task(self._request(provider, [flat[i].strip() for i in g], src, tgt))
                    for g in groups
                ]
        except ExceptionGroup as eg:
            errors = eg.exceptions
            if not all(isinstance(e, _Unsupported | _Failure | TimeoutError) for e in errors):
                raise
            unsupported = [e for e in errors if isinstance(e, _Unsupported)]
            raise (unsupported or errors)[0] from eg
        results = [text for task in tasks for text in task.result()]
        out, at = [], 0
        for text_pieces in pieces:
            n = len(text_pieces)
            out.append(join_pieces(text_pieces, results[at : at + n], target))
            at += n
        return out

    async def _request(
        self, provider: _Provider, texts: list[str], source: str, target: str
    ) -> list[str]:
        async with self._slots:  # waiting for a slot is not part of the deadline
            self.requests += 1
            try:
                return await asyncio.wait_for(
                    provider.call(texts, source, target, self._timeout), self._timeout
                )
            except (_Failure, TimeoutError):
                self.failures += 1
                raise


def _describe(e: BaseException) -> str:
    return str(e) or ("timed out" if isinstance(e, TimeoutError) else type(e).__name__)
