"""Article language: configured, declared, script, then detection, with a confidence floor."""

from __future__ import annotations

import pytest

from bot.analyze.language import detect_language, language_group, normalize_code, script_of


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en-US", "en"), ("EN_gb", "en"), ("zh-CN", "zh"), ("zh-Hans", "zh"), ("zh-TW", "zh-tw"),
        ("zh-Hant-HK", "zh-tw"), ("in", "id"), ("iw", "he"), ("nb", "no"), ("ind", "id"),
        ("", None), (None, None), ("x-klingon-1", None),
    ],
)  # fmt: skip
def test_normalize_code(code: str | None, expected: str | None) -> None:
    """Tags become lowercase base codes; Chinese keeps simplified vs traditional."""
    assert normalize_code(code) == expected


def test_source_language_wins() -> None:
    """A source configured as Indonesian is Indonesian whatever the text looks like."""
    got = detect_language(title="Breaking news from Seoul", text="", source_language="ID",
                          feed_language="en")  # fmt: skip
    assert got == "id"


def test_feed_language_used_when_script_agrees() -> None:
    """The feed's declared language is taken for text in a matching script."""
    assert detect_language(title="Korut kirim pasukan", text="", feed_language="ms-MY") == "ms"


def test_feed_language_overridden_by_incompatible_script() -> None:
    """A Korean site whose CMS declares "en-US" is still read as Korean."""
    assert detect_language(title="북한, 러시아에 병력 파견", text="", feed_language="en-US") == "ko"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("북한, 러시아에 병력 파견", "ko"),
        ("北朝鮮がロシアに部隊を派遣", "ja"),
        ("朝鲜向俄罗斯派遣军队", "zh"),
        ("เกาหลีเหนือส่งทหารไปรัสเซีย", "th"),
        ("كوريا الشمالية ترسل قوات إلى روسيا", "ar"),
        ("उत्तर कोरिया ने रूस में सेना भेजी", "hi"),
    ],
)
def test_script_decides(title: str, expected: str) -> None:
    """Headlines in a script that names its language are read by script alone."""
    assert detect_language(title=title, text="") == expected


def test_cyrillic_is_detected_not_assumed() -> None:
    """Ukrainian and Russian, both Cyrillic, are told apart by detection."""
    uk = "Північна Корея відправила своїх військових до Росії, повідомляє розвідка України"
    ru = "Северная Корея отправила своих военных в Россию, сообщает разведка Южной Кореи"
    assert detect_language(title=uk, text="") == "uk"
    assert detect_language(title=ru, text="") == "ru"


def test_latin_text_is_detected() -> None:
    """An English paragraph with no declared language is detected as English."""
    text = (
        "North Korea has sent thousands of troops to Russia, according to intelligence officials."
    )
    assert detect_language(title=text, text=text) == "en"


def test_indonesian_and_malay_are_one_group() -> None:
    """Indonesian-or-Malay text is reported as the group code, which both codes belong to."""
    text = "Korea Utara mengirim pasukan ke Rusia untuk membantu perang di Ukraina menurut laporan"
    assert detect_language(title=text, text="") == "id"
    assert language_group("ms") == language_group("id") == "id"


def test_low_confidence_gives_none() -> None:
    """A text too short to tell is left unknown rather than guessed."""
    assert detect_language(title="OK", text="") is None
    assert detect_language(title="Marco Polo Hotel Taxi", text="") is None  # it 0.57, es 0.43
    assert detect_language(title="", text="") is None


def test_detection_is_deterministic() -> None:
    """The same text always gets the same answer (the detector is seeded)."""
    text = "Die Regierung kündigte neue Maßnahmen an"
    answers = {detect_language(title=text, text="") for _ in range(5)}
    assert answers == {"de"}


def test_script_of_mixed_text() -> None:
    """A mostly Latin text with a few CJK characters is Latin (no script)."""
    assert script_of("Samsung Electronics 삼성 announces results for the quarter") is None
