"""OPML import and export of sources."""

from __future__ import annotations

import pytest

from bot.ingest.opml import OpmlError, read_opml, write_opml
from bot.model import Source, SourceId


def test_round_trip() -> None:
    """Exported sources import back with their URLs and names."""
    sources = [
        Source(
            id=SourceId("cnbc-indonesia"),
            url="https://cnbc.example/rss?a=1&b=2",
            name="CNBC Indonesia",
            language="id",
        ),
        Source(id=SourceId("yna"), url="https://yna.example/rss"),
    ]  # fmt: skip
    assert read_opml(write_opml(sources)) == [
        ("https://cnbc.example/rss?a=1&b=2", "CNBC Indonesia"),
        ("https://yna.example/rss", "yna"),
    ]


def test_nested_folders_and_duplicates() -> None:
    """Feeds inside folders are found; a URL listed twice is imported once."""
    data = b"""<?xml version="1.0"?><opml version="1.0"><body>
    <outline text="News"><outline text="A" xmlurl="http://a.example/rss"/>
      <outline text="Deep"><outline title="B" xmlUrl="http://b.example/rss"/></outline></outline>
    <outline text="A again" xmlUrl="http://a.example/rss"/><outline text="not a feed"/>
    </body></opml>"""
    assert read_opml(data) == [("http://a.example/rss", "A"), ("http://b.example/rss", "B")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<opml><body>", "not well-formed"),
        (b"<rss/>", "not OPML"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><opml/>', "entities"),
    ],
)
def test_bad_files_are_clear_errors(data: bytes, message: str) -> None:
    """A file that is not usable OPML says why."""
    with pytest.raises(OpmlError, match=message):
        read_opml(data)
