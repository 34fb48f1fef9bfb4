"""Pure parts of translation: language codes, splitting long text, the circuit breaker."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.deliver.translate import (
    Breaker,
    canonical_language,
    join_pieces,
    needs_translation,
    split_text,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("code", "ours"),
    [
        ("zh-Hans", "zh-CN"),
        ("zh_cn", "zh-CN"),
        ("zh", "zh-CN"),
        ("zh-Hant", "zh-TW"),
        ("zh-HK", "zh-TW"),
        ("pt-BR", "pt-BR"),
        ("pt-PT", "pt"),
        ("iw", "he"),
        ("in", "id"),
        ("nb", "no"),
        ("en-US", "en"),
        ("KO", "ko"),
        ("de-AT", "de"),
        ("zh-Hant-TW", "zh-TW"),  # a script and a region: the script decides
        ("zh-cmn-Hant-TW", "zh-TW"),  # a language extension before the script
        ("zh-yue-HK", "zh-TW"),  # Cantonese in Hong Kong: traditional
        ("zh-Hans-SG", "zh-CN"),
    ],
)
def test_language_codes_from_any_provider_or_user_mean_the_same_language(
    code: str, ours: str
) -> None:
    """`/lang zh-Hant`, Libre's `zh-Hant` and Google's `zh-TW` all mean traditional Chinese."""
    assert canonical_language(code) == ours


def test_long_korean_text_is_cut_after_sentence_ends_within_the_limit() -> None:
    """A long Korean text is sent in pieces under the provider's limit, cut after sentences."""
    sentence = "북한이 러시아에 병력을 추가로 파견했다고 국가정보원이 밝혔다. "
    text = sentence * 120
    pieces = split_text(text, 500)
    assert len(pieces) > 1
    assert "".join(pieces) == text
    assert all(len(p.strip()) <= 500 for p in pieces)
    assert all(p.rstrip().endswith("밝혔다.") for p in pieces)


def test_text_without_sentence_ends_is_cut_between_words() -> None:
    """A run-on text is still split, between words, never exceeding the limit."""
    text = " ".join(f"kata{i}" for i in range(400))
    pieces = split_text(text, 100)
    assert "".join(pieces) == text
    assert all(len(p.strip()) <= 100 for p in pieces)
    assert all(p.endswith(" ") for p in pieces[:-1])


def test_chinese_sentences_split_without_spaces_and_rejoin_without_spaces() -> None:
    """Chinese splits after 。; pieces put together for a Japanese reader get no spaces."""
    text = "朝鲜向俄罗斯派兵。" * 50
    pieces = split_text(text, 40)
    assert all(len(p) <= 40 and p.endswith("。") for p in pieces)
    assert join_pieces(pieces, pieces, "ja") == text
    assert join_pieces(["A. ", "B."], ["X.", "Y."], "en") == "X. Y."


@given(st.text(min_size=1, max_size=600), st.integers(min_value=5, max_value=200))
def test_splitting_never_loses_text_or_exceeds_the_limit(text: str, limit: int) -> None:
    """Whatever the text, the pieces put together are the text, and none is over the limit."""
    pieces = split_text(text, limit)
    assert "".join(pieces) == text
    assert all(len(p.rstrip()) <= limit for p in pieces)


def test_breaker_opens_after_threshold_and_probes_once_after_cooldown() -> None:
    """A provider that failed 3 times in a row is skipped for the cool-down, then tried once."""
    clock = Clock()
    breaker = Breaker(3, 60.0, clock)
    for _ in range(2):
        breaker.failure()
    assert breaker.allow()
    assert breaker.state == "closed"
    breaker.failure()
    assert breaker.state == "open"
    assert not breaker.allow()
    clock.now += 60
    assert breaker.state == "half-open"
    assert breaker.allow()
    assert not breaker.allow()  # only one probe at a time
    breaker.failure()  # the probe failed: open again for a full cool-down
    assert breaker.state == "open"
    clock.now += 60
    assert breaker.allow()
    breaker.success()
    assert breaker.state == "closed"
    assert breaker.allow()


def test_breaker_forgets_failures_after_a_success() -> None:
    """Only consecutive failures open the breaker."""
    breaker = Breaker(2, 60.0, Clock())
    breaker.failure()
    breaker.success()
    breaker.failure()
    assert breaker.state == "closed"


@pytest.mark.parametrize(
    ("article", "target", "needed"),
    [
        ("id", "en", True),
        ("id", "id", False),
        ("en", "en-GB", False),  # one language, whatever the region
        ("zh-cn", "zh-TW", True),  # the other script of Chinese is read only once translated
        ("zh", "zh-TW", True),  # zh is simplified
        ("zh-tw", "zh-HK", False),  # both traditional
        ("zh", "zh-CN", False),
        (None, "en", False),  # unknown language: nothing to translate from
        ("ko", None, False),  # /lang off
    ],
)
def test_which_alerts_need_translating(
    article: str | None, target: str | None, needed: bool
) -> None:
    """A reader gets a translation when the article is in another language or Chinese script."""
    assert needs_translation(article, target) is needed
