"""TranslationService against the local translation server, through the real clients.

libre goes through our aiohttp client; google, deepl, microsoft and mymemory through
deep-translator's clients, each against an endpoint of the shape it speaks.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from bot.deliver.translate import ProviderConfig, TranslationService
from bot.errors import TranslationError
from bot.model import Article, KeyLine, RuleId, RuleRef, SourceId, Story
from bot.store.db import open_db
from bot.store.translations import StoredTranslationCache
from tests.servers.translate import ENDPOINTS, TranslateServer

Make = Callable[..., Awaitable[TranslationService]]


def story(title: str, lines: tuple[str, ...] = (), language: str | None = "id") -> Story:
    article = Article(
        source_id=SourceId("cnbc-indonesia"),
        source_name="CNBC Indonesia",
        guid=title,
        url="https://example.org/a",
        link="https://example.org/a",
        title=title,
        published=datetime(2024, 11, 1, tzinfo=UTC),
    )
    return Story(
        article=article,
        language=language,
        rules=(RuleRef(id=RuleId("nk-russia"), name="North Korea and Russia"),),
        key_lines=tuple(KeyLine(text=t) for t in lines),
    )


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def make(translate_server: TranslateServer) -> AsyncIterator[Make]:
    """Builds started services (libre then google by default) and closes them after the test."""
    created: list[TranslationService] = []
    async with aiohttp.ClientSession() as session:

        async def started(*providers: ProviderConfig, **kwargs: object) -> TranslationService:
            if not providers:
                providers = (
                    ProviderConfig("libre", url=translate_server.url),
                    ProviderConfig("google", url=translate_server.google_url),
                )
            kwargs.setdefault("cache", None)
            kwargs.setdefault("timeout", 2.0)
            service = TranslationService(providers, **kwargs)  # type: ignore[arg-type]
            created.append(service)
            await service.start(session)
            return service

        yield started
        for service in created:
            await service.close()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


async def test_headline_and_key_lines_arrive_in_the_chat_language(
    make: Make, translate_server: TranslateServer
) -> None:
    """An Indonesian story for a traditional-Chinese reader comes back translated by libre."""
    service = await make()
    result = await service.translate_story(
        story("Korut kirim pasukan ke Rusia", ("Pasukan Korea Utara tiba di Kursk.",)), "zh-TW"
    )
    assert result.failed is False
    assert result.provider == "libre"
    assert result.target == "zh-TW"
    assert result.title == "[zh-Hant] Korut kirim pasukan ke Rusia"
    assert result.key_lines == ("[zh-Hant] Pasukan Korea Utara tiba di Kursk.",)
    assert translate_server.requests["/translate"] == 1  # headline and key line in one batch


async def test_google_provider_through_deep_translator_maps_hebrew(
    make: Make, translate_server: TranslateServer
) -> None:
    """With only google configured, a Hebrew reader's alert is requested with Google's code `iw`."""
    service = await make(ProviderConfig("google", url=translate_server.google_url))
    result = await service.translate_story(story("Korut & Rusia <sekutu>", ("Satu. Dua.",)), "he")
    assert result.provider == "google"
    assert result.title == "[iw] Korut & Rusia <sekutu>"
    assert result.key_lines == ("[iw] Satu. Dua.",)


@pytest.mark.timeout(10)  # a hang not cut at the deadline would last until the server stops
@pytest.mark.parametrize("fault", ["429", "500", "garbage", "hang", "drop"])
async def test_a_failing_first_provider_hands_over_to_the_next(
    make: Make, translate_server: TranslateServer, fault: str
) -> None:
    """When libre answers 429/500/garbage, hangs or drops the connection, google translates. A
    hang lasts until the server stops, after the test: only the deadline ends it, and libre is
    asked once, not again."""
    service = await make(timeout=1.0)
    translate_server.fail_next(1, fault, only="libre")
    result = await service.translate_story(story("Rusia dan Korut"), "de")
    assert translate_server.requests[ENDPOINTS["libre"]] == 1
    assert result.failed is False
    assert result.provider == "google"
    assert result.title == "[de] Rusia dan Korut"


@pytest.mark.timeout(10)  # a hang not cut at the deadline would last until the server stops
@pytest.mark.parametrize("fault", ["429", "500", "garbage", "hang", "drop"])
async def test_when_every_provider_fails_the_alert_is_marked_untranslated(
    make: Make, translate_server: TranslateServer, fault: str
) -> None:
    """Both providers failing ends, each asked once and a hang cut at its deadline, in
    Translation(failed=True)."""
    service = await make(timeout=0.5)
    translate_server.fail_next(2, fault)
    # one text: google (one request per text) meets exactly one fault
    result = await service.translate_story(story("Rusia dan Korut"), "en")
    assert (translate_server.requests[ENDPOINTS["libre"]], translate_server.requests["/m"]) == (
        1,
        1,
    )
    assert result.failed is True
    assert result.title is None
    translate_server.fail_next(2, fault)
    with pytest.raises(TranslationError):
        await service.translate_texts(["Lain kali"], source="id", target="en")


async def test_a_provider_that_is_down_is_skipped(
    make: Make, translate_server: TranslateServer
) -> None:
    """libre configured on a port nobody listens on: google still translates."""
    service = await make(
        ProviderConfig("libre", url=closed_port_url()),
        ProviderConfig("google", url=translate_server.google_url),
    )
    result = await service.translate_story(story("Rusia"), "ko")
    assert (result.provider, result.title) == ("google", "[ko] Rusia")
    assert "zh-TW" in service.supported_languages()  # google's list, without libre's


async def test_breaker_skips_a_failing_provider_then_probes_it(
    make: Make, translate_server: TranslateServer
) -> None:
    """After 3 failures in a row libre is not asked for the cool-down; then a probe closes it."""
    clock = Clock()
    service = await make(breaker_threshold=3, breaker_cooldown=60.0, clock=clock)
    translate_server.fail_next(3, "500", only="libre")
    for i in range(3):
        await service.translate_story(story(f"Berita {i}"), "en")
    assert service.provider_states() == {"libre": "open", "google": "closed"}
    libre_before = translate_server.requests["/translate"]
    result = await service.translate_story(story("Berita 4"), "en")
    assert result.provider == "google"
    assert translate_server.requests["/translate"] == libre_before
    clock.now += 60
    assert service.provider_states()["libre"] == "half-open"
    result = await service.translate_story(story("Berita 5"), "en")
    assert result.provider == "libre"
    assert service.provider_states()["libre"] == "closed"


async def test_cache_hits_send_no_requests_even_after_restart(
    make: Make, translate_server: TranslateServer, tmp_path: Path
) -> None:
    """A story translated once is served from the cache, by this service and by a restarted one."""
    conn = open_db(tmp_path / "w.db")
    first = await make(cache=StoredTranslationCache(conn))
    s = story("Korut kirim pasukan", ("Pasukan tiba.", "Rusia menyambut."))
    await first.translate_story(s, "en")
    sent = translate_server.total
    again = await first.translate_story(s, "en")
    restarted = await make(cache=StoredTranslationCache(conn))
    after_restart = await restarted.translate_story(s, "en")
    assert translate_server.total == sent
    assert again.title == after_restart.title == "[en] Korut kirim pasukan"
    assert after_restart.provider == "cache"
    assert (first.cache_hits, first.cache_misses) == (3, 3)
    assert restarted.cache_hits == 3
    conn.close()


async def test_one_translation_per_target_language_however_many_chats(
    make: Make, translate_server: TranslateServer
) -> None:
    """300 chats in 4 languages (one the article's own) plus /lang off chats: 3 translations."""
    service = await make()
    s = story("Korut kirim pasukan ke Rusia", ("Pasukan tiba.",), language="id")
    languages: list[str | None] = ["id", "en", "ko", "de", None]
    chats = [languages[i % len(languages)] for i in range(300)]
    results = await asyncio.gather(
        *(service.translate_story(s, lang) for lang in chats if lang is not None)
    )
    assert translate_server.total == 3
    assert sorted(set(translate_server.targets)) == ["de", "en", "ko"]
    assert {r.title for r in results} == {
        None,  # the Indonesian readers get the original
        "[en] Korut kirim pasukan ke Rusia",
        "[ko] Korut kirim pasukan ke Rusia",
        "[de] Korut kirim pasukan ke Rusia",
    }


@pytest.mark.parametrize("provider", ["libre", "google"])
async def test_long_korean_text_is_split_within_limits_and_translated_whole(
    make: Make, translate_server: TranslateServer, provider: str
) -> None:
    """A 6,000-character Korean line goes in sentence pieces under the limit, all translated."""
    url = translate_server.url if provider == "libre" else translate_server.google_url
    service = await make(ProviderConfig(provider, url=url))  # type: ignore[arg-type]
    sentences = [
        f"북한군 {i}명이 러시아 쿠르스크 지역에 배치된 것으로 확인됐다." for i in range(200)
    ]
    long_line = " ".join(sentences)
    result = await service.translate_story(story("북한 파병", (long_line,), language="ko"), "en")
    assert result.failed is False
    limit = translate_server.char_limit if provider == "libre" else translate_server.google_limit
    assert len(translate_server.texts) > 3
    assert all(len(t) <= limit for t in translate_server.texts)
    assert all(t.endswith("확인됐다.") for t in translate_server.texts if t != "북한 파병")
    translated = result.key_lines[0]
    assert all(s in translated for s in sentences)
    assert translated.startswith("[en] 북한군 0명")


async def test_supported_languages_come_from_libre_and_google(
    make: Make, translate_server: TranslateServer
) -> None:
    """`/lang` accepts what libre lists (nb -> no) and Google knows; rejects unknown codes."""
    service = await make()
    assert translate_server.requests["/languages"] == 1
    assert service.supports("zh-Hant")
    assert service.supports("pt-BR")
    assert service.supports("iw")
    assert service.supports("nb")
    assert not service.supports("xx")
    libre_only = await make(ProviderConfig("libre", url=translate_server.url))
    assert libre_only.supported_languages() == frozenset(
        {"en", "id", "ko", "ru", "de", "ja", "fr", "es", "ar", "he", "zh-CN", "zh-TW", "pt"}
        | {"pt-BR", "no", "uk", "vi"}
    )


async def test_a_language_libre_lacks_goes_to_google_without_tripping_the_breaker(
    make: Make, translate_server: TranslateServer
) -> None:
    """Swahili is not on the libre server: google translates, libre stays healthy and unasked."""
    service = await make(breaker_threshold=1)
    result = await service.translate_story(story("Rusia"), "sw")
    assert (result.provider, result.title) == ("google", "[sw] Rusia")
    assert translate_server.requests["/translate"] == 0
    assert service.provider_states()["libre"] == "closed"


async def test_story_in_the_readers_language_is_not_translated(
    make: Make, translate_server: TranslateServer
) -> None:
    """An English story for an English reader costs nothing and says there is nothing to show."""
    service = await make()
    result = await service.translate_story(story("Troops arrive", language="en-US"), "en")
    assert result.title is None
    assert result.failed is False
    assert translate_server.total == 0


async def test_unknown_article_language_is_translated_from_auto(
    make: Make, translate_server: TranslateServer
) -> None:
    """A story whose language was not detected is still translated, with source `auto`."""
    service = await make()
    result = await service.translate_story(story("Korut", language=None), "en")
    assert result.title == "[en] Korut"


async def test_languages_unknown_at_start_are_learned_later(
    translate_server: TranslateServer,
) -> None:
    """A LibreTranslate that is down when Warta starts: /lang accepts real language codes
    meanwhile, and the server's own list once it answers."""
    url, port = translate_server.url, translate_server.port
    await translate_server.stop()  # down while Warta starts
    service = TranslationService([ProviderConfig(type="libre", url=url)], cache=None, timeout=2)
    async with aiohttp.ClientSession() as session:
        await service.start(session)
        assert service.supports("id")
        assert not service.supports("xx")
        translate_server.languages = {"en": "English", "id": "Indonesian"}
        await translate_server.start(port)  # up again
        await service.refresh_languages()
        assert service.supports("id")
        assert not service.supports("ko")  # the server does not offer it
        await service.close()


DEEP_TRANSLATOR_KEYED = ["deepl", "microsoft", "mymemory"]


def keyed(provider: str, server: TranslateServer, key: str | None = "secret") -> ProviderConfig:
    """deepl and microsoft need a key (`:fx` marks a DeepL free key); mymemory takes none."""
    api_key = {"deepl": f"{key}:fx", "microsoft": key}.get(provider) if key else None
    return ProviderConfig(provider, url=server.provider_url(provider), api_key=api_key)  # type: ignore[arg-type]


@pytest.mark.parametrize("provider", DEEP_TRANSLATOR_KEYED)
async def test_deepl_microsoft_and_mymemory_translate_through_deep_translator(
    make: Make, translate_server: TranslateServer, provider: str
) -> None:
    """Each of them, alone, translates headline and key line through deep-translator's client
    against its endpoint on the local server, in the provider's code for German (MyMemory's is
    `de-DE`): one request per text."""
    translate_server.api_key = "secret:fx" if provider == "deepl" else "secret"
    service = await make(keyed(provider, translate_server))
    result = await service.translate_story(story("Korut kirim pasukan", ("Pasukan tiba.",)), "de")
    code = "de-DE" if provider == "mymemory" else "de"
    assert (result.failed, result.provider) == (False, provider)
    assert result.title == f"[{code}] Korut kirim pasukan"
    assert result.key_lines == (f"[{code}] Pasukan tiba.",)
    assert translate_server.total == 2
    assert sorted(translate_server.texts) == ["Korut kirim pasukan", "Pasukan tiba."]


@pytest.mark.parametrize("provider", ["deepl", "microsoft"])
async def test_a_refused_key_hands_over_to_the_next_provider(
    make: Make, translate_server: TranslateServer, provider: str
) -> None:
    """A DeepL or Microsoft key the service refuses is a failure of that provider: the next one
    configured translates, and the alert is not lost."""
    translate_server.api_key = "the-right-one"
    service = await make(
        keyed(provider, translate_server, key="wrong"),
        ProviderConfig("google", url=translate_server.google_url),
    )
    result = await service.translate_story(story("Rusia dan Korut"), "en")
    assert (result.failed, result.provider) == (False, "google")
    assert result.title == "[en] Rusia dan Korut"
    assert translate_server.requests[ENDPOINTS[provider]] == 1


@pytest.mark.timeout(10)  # a hang not cut at the deadline would last until the server stops
@pytest.mark.parametrize("fault", ["500", "garbage", "hang"])
@pytest.mark.parametrize("provider", DEEP_TRANSLATOR_KEYED)
async def test_a_failing_deep_translator_provider_is_bounded_and_handed_over(
    make: Make, translate_server: TranslateServer, provider: str, fault: str
) -> None:
    """An error, a page that is not an answer, or no answer at all (a hang, cut at the deadline):
    the provider is asked once and the next one translates."""
    service = await make(
        keyed(provider, translate_server),
        ProviderConfig("google", url=translate_server.google_url),
        timeout=0.5,
    )
    translate_server.fail_next(1, fault, only=provider)
    result = await service.translate_story(story("Rusia dan Korut"), "en")
    assert translate_server.requests[ENDPOINTS[provider]] == 1
    assert (result.failed, result.provider) == (False, "google")
