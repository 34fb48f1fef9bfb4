"""What an alert was rendered from survives the trip through its outbox row."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.deliver import snapshot
from bot.deliver.format import render_alert
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


def story() -> Story:
    article = Article(
        source_id=SourceId("yonhap-ko"), source_name="연합뉴스 <Yonhap>", guid="g-1",
        url="https://yna.co.kr/view/1", link="https://yna.co.kr/view/1?src=rss",
        title="北, 동해상으로 탄도미사일 발사", summary="합참은 … 밝혔다." * 400,
        content="본문 " * 5000, published=datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
        published_known=False, feed_language="ko", source_language=None,
    )  # fmt: skip
    return Story(
        article=article,
        language="ko",
        rules=(RuleRef(id=RuleId("korean-peninsula"), name="North Korea", tags=("asia",)),),
        key_lines=(KeyLine(text="북한이 미사일을 쐈다.", spans=((0, 2),)),),
        other_sources=("KBS",),
        story_id="abc123",
    )


PREFS = ChatPrefs(chat_id=ChatId(-100123), language="en", timezone="Asia/Seoul", link_preview=True)


@pytest.mark.parametrize(
    "translation",
    [
        None,
        Translation(
            target="en", title="N. Korea fires", key_lines=("It fired.",), provider="libre"
        ),
        Translation(target="en", title=None, failed=True),
    ],
)
@pytest.mark.parametrize("key_lines", [True, False])
def test_an_alert_renders_the_same_from_its_snapshot(
    translation: Translation | None, key_lines: bool
) -> None:
    """Dumped and loaded, the story renders exactly the alert it rendered before (with key
    lines, or with the summary in their place); the full text, which no alert shows, is not
    kept."""
    s = story() if key_lines else replace(story(), key_lines=())
    loaded, loaded_translation, prefs = snapshot.load(snapshot.dump(s, translation, PREFS))
    assert (loaded_translation, prefs) == (translation, PREFS)
    assert render_alert(loaded, loaded_translation, prefs) == render_alert(s, translation, PREFS)
    assert loaded.article.content == ""
    assert loaded.key_lines == s.key_lines
    assert loaded.rules == s.rules


def test_the_publication_time_keeps_its_instant() -> None:
    """An aware time comes back the same instant (alerts show it in the chat's own zone)."""
    when = datetime(2026, 11, 27, 18, 0, tzinfo=timezone(timedelta(hours=9)))
    s = replace(story(), article=replace(story().article, published=when))
    loaded, _, _ = snapshot.load(snapshot.dump(s, None, PREFS))
    assert loaded.article.published == when


def test_a_snapshot_of_another_version_is_refused() -> None:
    """A row written by a later version is not guessed at."""
    text = snapshot.dump(story(), None, PREFS).replace('"v":1', '"v":99')
    with pytest.raises(ValueError, match="version"):
        snapshot.load(text)
