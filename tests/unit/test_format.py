"""Alert and digest rendering: what a subscriber sees, always valid Telegram HTML within 4096."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.deliver.format import escape, render_alert, render_digest, to_plain
from bot.model import (
    Article,
    ChatId,
    ChatPrefs,
    KeyLine,
    RuleId,
    RuleRef,
    SourceId,
    Story,
    Translation,
)
from tests.servers.botapi_html import parse_html

PUBLISHED = datetime(2025, 6, 15, 7, 30, tzinfo=UTC)


def _story(
    *,
    title: str = "Korut & Rusia <teken> pakta",
    lines: tuple[KeyLine, ...] = (),
    summary: str = "",
    link: str = "https://news.example/a?x=1&y=2",
    others: tuple[str, ...] = (),
    rules: tuple[RuleRef, ...] = (RuleRef(id=RuleId("nk-russia"), name="North Korea and Russia"),),
    language: str | None = "id",
) -> Story:
    article = Article(
        source_id=SourceId("cnbc"),
        source_name="CNBC Indonesia",
        guid="g1",
        url=link,
        link=link,
        title=title,
        summary=summary,
        published=PUBLISHED,
    )
    return Story(
        article=article, language=language, rules=rules, key_lines=lines, other_sources=others
    )


def _prefs(language: str | None = "en", tz: str = "UTC", preview: bool = False) -> ChatPrefs:
    return ChatPrefs(chat_id=ChatId(1), language=language, timezone=tz, link_preview=preview)


def _visible(html_text: str) -> str:
    return parse_html(html_text)[0]


def test_untranslated_alert_shows_escaped_headline_hits_source_time_rules_and_link() -> None:
    """An article in the chat's language: bold headline, hits in bold, meta lines, link, button."""
    line = KeyLine(text="Pasukan Korut tiba di Rusia.", spans=((8, 13), (22, 27)))
    story = _story(lines=(line,), others=("Kompas", "Detik"))
    m = render_alert(story, None, _prefs("id", "Asia/Jakarta"))
    assert m.parse_mode == "HTML"
    assert m.text.startswith("<b>Korut &amp; Rusia &lt;teken&gt; pakta</b>")
    assert "Pasukan <b>Korut</b> tiba di <b>Rusia</b>." in m.text
    assert "CNBC Indonesia (cnbc) · juga: Kompas, Detik" in m.text
    assert "2025-06-15 14:30 WIB" in m.text
    assert "#NorthKoreaAndRussia" in m.text
    assert '<a href="https://news.example/a?x=1&amp;y=2">Baca artikel</a>' in m.text
    assert m.button_url == "https://news.example/a?x=1&y=2"
    assert m.button_text == "Buka artikel"
    assert m.disable_preview
    assert m.plain_text is not None
    assert "Korut & Rusia <teken> pakta" in m.plain_text
    assert "https://news.example/a?x=1&y=2" in m.plain_text


def test_translated_alert_shows_both_headlines_and_original_lines_with_hits() -> None:
    """Translated: translated headline bold, original below; translated lines, originals quoted."""
    line = KeyLine(text="Kim Jong Un tiba di Moskow.", spans=((0, 11),))
    translation = Translation(
        target="en",
        title="North Korea, Russia sign pact",
        key_lines=("Kim Jong Un arrived in Moscow.",),
    )
    m = render_alert(_story(lines=(line,)), translation, _prefs("en"))
    visible = _visible(m.text)
    assert visible.startswith("North Korea, Russia sign pact\nKorut & Rusia <teken> pakta")
    assert "▸ <b>Kim Jong Un</b> arrived in Moscow." in m.text
    assert (
        "<blockquote expandable>Original:\n<b>Kim Jong Un</b> tiba di Moskow.</blockquote>"
        in m.text
    )


def test_failed_translation_is_noted_and_original_shown() -> None:
    """When translation failed the alert goes out in the original with a short note."""
    m = render_alert(_story(), Translation(target="en", title=None, failed=True), _prefs("en"))
    assert "Translation unavailable" in m.text
    assert m.text.startswith("<b>Korut &amp; Rusia")


def test_time_zone_and_link_preview_follow_the_chat() -> None:
    """The chat's /tz zone is used for the time; previews follow the chat's setting."""
    m = render_alert(_story(), None, _prefs("en", "America/New_York", preview=True))
    assert "2025-06-15 03:30 EDT" in m.text
    assert not m.disable_preview
    bad_zone = render_alert(_story(), None, _prefs("en", "Not/AZone"))
    assert "2025-06-15 07:30 UTC" in bad_zone.text


def test_long_article_is_trimmed_key_lines_first_and_keeps_the_link() -> None:
    """Huge key lines and headlines are cut to fit 4096; the link always remains."""
    lines = tuple(KeyLine(text="kata " * 500, spans=((0, 4),)) for _ in range(3))
    story = _story(title="T" * 5000, lines=lines, others=tuple(f"Outlet {i}" for i in range(30)))
    m = render_alert(story, None, _prefs())
    assert len(m.text) <= 4096
    assert len(_visible(m.text)) <= 4096
    assert '<a href="https://news.example/a?x=1&amp;y=2">' in m.text
    assert "+22 more" in m.text


def test_escape_neutralises_markup() -> None:
    """Feed text can never open a tag or an entity."""
    assert escape('<b a="1">&amp;</b>') == "&lt;b a=&quot;1&quot;&gt;&amp;amp;&lt;/b&gt;"
    assert _visible(escape("<script>&lt;\x00")) == "<script>&lt;"


def test_digest_splits_at_alert_boundaries_within_4096() -> None:
    """/unmute's digest packs held alerts into few messages, never cutting one in half."""
    alerts = [
        render_alert(_story(title=f"Story {i} " + "x" * 300), None, _prefs()).text
        for i in range(30)
    ]
    digest = render_digest(alerts, language="en")
    assert len(digest) > 1
    assert "Alerts held while this chat was muted: 30" in digest[0].text
    assert all(d.text.startswith("<i>(continued)</i>") for d in digest[1:])
    wide = render_digest(["short", "<b>" + "x" * 4080 + "</b>", "short2"], language="en")
    assert [d.text.startswith("<i>(continued)</i>") for d in wide] == [False, False, True]
    joined = "".join(d.text for d in digest)
    for i, alert in enumerate(alerts):
        assert alert in joined, i
    for d in digest:
        assert len(d.text) <= 4096
        parse_html(d.text)
    assert render_digest([], language="id") == []


_text = st.text(st.characters(codec="utf-8"), max_size=3000)
_line = st.builds(
    lambda t, a, b: KeyLine(text=t, spans=((min(a, b, len(t)), min(max(a, b), len(t))),)),
    _text,
    st.integers(0, 3000),
    st.integers(0, 3000),
)


@settings(max_examples=150, deadline=None)
@given(
    title=_text,
    summary=_text,
    lines=st.lists(_line, max_size=5),
    others=st.lists(st.text(max_size=200), max_size=20),
    names=st.lists(_text, max_size=5),
    path=st.text(max_size=1500),
    language=st.sampled_from(["en", "id", None, "zz"]),
    translated=st.one_of(st.none(), st.tuples(_text, st.lists(_text, max_size=3), st.booleans())),
)
def test_any_article_renders_to_html_telegram_accepts(
    title: str,
    summary: str,
    lines: list[KeyLine],
    others: list[str],
    names: list[str],
    path: str,
    language: str | None,
    translated: tuple[str, list[str], bool] | None,
) -> None:
    """Whatever the feed says, the alert parses as Telegram HTML and stays within 4096."""
    rules = tuple(RuleRef(id=RuleId(f"r{i}"), name=n) for i, n in enumerate(names))
    story = _story(
        title=title,
        summary=summary,
        lines=tuple(lines),
        others=tuple(others),
        rules=rules,
        link="https://news.example/" + path,
    )
    translation = None
    if translated is not None:
        translation = Translation(
            target="en", title=translated[0], key_lines=tuple(translated[1]), failed=translated[2]
        )
    m = render_alert(story, translation, _prefs(language))
    assert len(m.text) <= 4096
    visible, _ = parse_html(m.text)
    assert 0 < len(visible.strip()) <= 4096
    assert m.plain_text is not None
    assert len(m.plain_text) <= 4096
    assert "https://news.example/" in m.text
    assert to_plain(m.text) == m.plain_text


def test_every_catalogue_has_the_english_keys_and_placeholders() -> None:
    """A language's words can stand in for the English ones everywhere an alert uses them."""
    import string

    from bot.deliver.catalogue import CATALOGUE

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    english = CATALOGUE["en"]
    assert len(CATALOGUE) >= 18
    for language, words in CATALOGUE.items():
        assert words.keys() == english.keys(), language
        for key, text in words.items():
            assert fields(text) == fields(english[key]), (language, key)
            assert text.strip(), (language, key)
            translated = language == "en" or key in ("original", "sep") or text != english[key]
            assert translated, (language, key)  # not English left in by mistake


def test_alert_chrome_is_in_the_chats_language() -> None:
    """A Korean chat reads Korean around the headline; a zh-Hant chat reads traditional Chinese;
    a language without a catalogue reads English."""
    others = tuple(f"Outlet {i}" for i in range(10))
    story = _story(others=others)
    ko = render_alert(story, None, _prefs("ko"))
    assert '">기사 읽기</a>' in ko.text
    assert ko.button_text == "기사 열기"
    assert "다른 매체: Outlet 0, Outlet 1" in ko.text
    assert "Outlet 7, 그 외 2곳" in ko.text
    assert "Read the article" not in ko.text
    assert "also" not in ko.text
    hant = render_alert(story, None, _prefs("zh-Hant"))
    assert '">閱讀全文</a>' in hant.text
    assert "其他報導：Outlet 0、Outlet 1" in hant.text
    assert '">阅读全文</a>' in render_alert(story, None, _prefs("zh")).text
    assert render_alert(story, None, _prefs("pt-BR")).button_text == "Abrir o artigo"
    assert render_alert(story, None, _prefs("sw")).button_text == "Open article"
    failed = Translation(target="ru", title="", key_lines=(), failed=True, provider=None)
    ru = render_alert(story, failed, _prefs("ru"))
    assert "Перевод недоступен" in _visible(ru.text)


def test_the_story_from_outlets_in_other_languages_is_listed_linked_and_escaped() -> None:
    """Each outlet that retold the story in another language: name, language, its headline
    (in the chat's language) linked; feed text escaped; a link too long to show is left out;
    five of them with the longest key lines still fit one message, a key line kept first."""
    from bot.model import Related

    yna, long_link = "https://yna.example/1", "https://ria.example/" + "x" * 600
    related = (
        Related(source_name="연합뉴스", language="ko", title="NIS: <b>3,000</b> troops", link=yna),
        Related(source_name="RIA", language="ru", title="Troops moved", link=long_link),
    )
    m = render_alert(replace(_story(), related=related), None, _prefs("en"))
    assert (
        '↳ 연합뉴스 (ko): <a href="https://yna.example/1">NIS: &lt;b&gt;3,000&lt;/b&gt; troops</a>'
        in m.text
    )
    assert "↳ RIA (ru): Troops moved\n" in m.text
    link = "https://r.example/" + "y" * 480
    many = tuple(
        Related(source_name=f"Outlet {i}", language="ru", title="T" * 300, link=link)
        for i in range(5)
    )
    long_lines = tuple(KeyLine(text="word " * 200, spans=((0, 4),)) for _ in range(3))
    big = render_alert(replace(_story(lines=long_lines), related=many), None, _prefs("en"))
    assert len(big.text) <= 4096
    assert "▸ word word" in big.text  # a key line outweighs the third to fifth retellings
    assert "Outlet 1" in big.text
    parse_html(big.text)  # still valid Telegram HTML
