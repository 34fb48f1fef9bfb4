"""Translate a Story's headline and key lines into a chat's language, once per target language.

    translate_story(story, target)
      -> in-flight coalescing (one job per story text + target, however many chats wait on it)
      -> cache (hash(text) + source + target, provider-independent)
      -> providers in configured order, each behind a circuit breaker:
           split long text at sentence boundaries within the provider's limit, batch the pieces,
           one request per batch under bounded concurrency (`pool_size`) and our own deadline
      -> Translation (failed=True when every provider failed: the alert goes out untranslated)

Providers and their breakers are in `bot.deliver.providers` (libre over aiohttp, the
deep-translator ones in a thread pool), language codes in `bot.deliver.langcodes`; the names other
modules import from here (`Breaker`, `canonical_language`) are re-exported.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal, Protocol

import aiohttp
import babel

from bot.analyze.language import normalize_code
from bot.deliver.langcodes import NO_SPACES, canonical_language
from bot.deliver.providers import (
    Breaker,
    DeepTranslator,
    Failure,
    Libre,
    Provider,
    Unsupported,
    install_timeout_shim,
)
from bot.errors import TranslationError
from bot.model import Story, Translation

__all__ = [
    "Breaker",
    "ProviderConfig",
    "TranslationCache",
    "TranslationService",
    "cache_key",
    "canonical_language",
    "join_pieces",
    "split_text",
]

log = logging.getLogger(__name__)

ProviderType = Literal["libre", "google", "deepl", "microsoft", "mymemory"]


def needs_translation(article_language: str | None, target: str | None) -> bool:
    """Whether an article in `article_language` reads in `target` only once translated: another
    language, or the other script of Chinese (`zh`, `zh-CN` simplified; `zh-TW`, `zh-HK`
    traditional)."""
    a, t = normalize_code(article_language), normalize_code(target)
    # normalize_code keeps only the base, and zh's script as "zh" or "zh-tw"
    return a is not None and t is not None and a != t


@dataclass(frozen=True)
class ProviderConfig:
    """One entry of `translation.providers` in the config file."""

    type: ProviderType
    url: str | None = None
    api_key: str | None = None
    region: str | None = None


class TranslationCache(Protocol):
    """Where translated texts are kept (bot.store.translations.StoredTranslationCache)."""

    def get_many(self, keys: Sequence[str]) -> dict[str, str]: ...

    # entries: (key, source language or None, target language, translated text)
    def put_many(self, entries: Sequence[tuple[str, str | None, str, str]]) -> None: ...


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
            sep = "" if target in NO_SPACES else " "
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


def _known_language(code: str) -> bool:
    try:
        babel.Locale.parse(code, sep="-")
    except (ValueError, babel.UnknownLocaleError):
        return False
    return True


def cache_key(text: str, source: str | None, target: str) -> str:
    """The cache key: hash of the text, source language (`auto` when unknown), target language."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]
    return f"{digest}:{source or 'auto'}:{target}"


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
        install_timeout_shim()
        self._pool = ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="translate")
        self._slots = asyncio.Semaphore(pool_size)
        self._providers: list[Provider] = []
        self._session: aiohttp.ClientSession | None = None
        for i, config in enumerate(providers):
            name = (
                config.type
                if i == 0 or all(p.config.type != config.type for p in self._providers)
                else f"{config.type}#{i + 1}"
            )
            provider: Provider = (
                Libre(name, config)
                if config.type == "libre"
                else DeepTranslator(name, config, self._pool)
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
        self._session = session
        for provider in self._providers:
            await provider.start(session, self._timeout)

    async def refresh_languages(self) -> None:
        """Ask again the providers whose languages are still unknown (a server that started
        after Warta, say); called on the maintenance schedule."""
        if self._session is None:
            return
        for provider in self._providers:
            if provider.codes is None:
                await provider.start(self._session, self._timeout)

    async def close(self) -> None:
        """Stop waiting for anything in flight and release the threads."""
        for future in list(self._inflight.values()):
            future.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def supported_languages(self) -> frozenset[str]:
        """Every language some configured provider can translate into (our canonical codes)."""
        return frozenset(code for p in self._providers for code in (p.codes or {}))

    def supports(self, code: str) -> bool:
        """Whether `/lang CODE` is acceptable: a language some provider lists, or, while a
        provider's list is unknown (its server unreachable so far), any language CLDR knows."""
        canon = canonical_language(code)
        if canon in self.supported_languages():
            return True
        return any(p.codes is None for p in self._providers) and _known_language(canon)

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
            except Unsupported as e:
                breaker.neutral()
                reasons.append(f"{provider.name}: {e}")
                continue
            except (Failure, TimeoutError) as e:
                breaker.failure()
                reasons.append(f"{provider.name}: {_describe(e)}")
                log.warning("translation provider %s failed: %s", provider.name, _describe(e))
                continue
            breaker.success()
            return out, provider.name
        raise TranslationError("; ".join(reasons) or "no translation provider configured")

    async def _with(
        self, provider: Provider, texts: list[str], source: str | None, target: str
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
            if not all(isinstance(e, Unsupported | Failure | TimeoutError) for e in errors):
                raise
            unsupported = [e for e in errors if isinstance(e, Unsupported)]
            raise (unsupported or errors)[0] from eg
        results = [text for task in tasks for text in task.result()]
        out, at = [], 0
        for text_pieces in pieces:
            n = len(text_pieces)
            out.append(join_pieces(text_pieces, results[at : at + n], target))
            at += n
        return out

    async def _request(
        self, provider: Provider, texts: list[str], source: str, target: str
    ) -> list[str]:
        async with self._slots:  # waiting for a slot is not part of the deadline
            self.requests += 1
            try:
                return await asyncio.wait_for(
                    provider.call(texts, source, target, self._timeout), self._timeout
                )
            except (Failure, TimeoutError):
                self.failures += 1
                raise


def _describe(e: BaseException) -> str:
    return str(e) or ("timed out" if isinstance(e, TimeoutError) else type(e).__name__)
