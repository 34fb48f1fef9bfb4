"""OPML import and export of sources (`warta sources import/export`)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from bot.errors import WartaError
from bot.model import Source


class OpmlError(WartaError):
    """The file is not OPML Warta can read; the message says why."""


def _attr(element: ET.Element, name: str) -> str | None:
    lowered = name.lower()
    for key, value in element.attrib.items():
        if key.lower() == lowered and value.strip():
            return value.strip()
    return None


def read_opml(data: bytes) -> list[tuple[str, str | None]]:
    """Every feed outline (nested folders too) as (url, title), in file order, each URL once."""
    if not data.strip():
        raise OpmlError("the OPML file is empty")
    if b"<!ENTITY" in data:
        raise OpmlError("the OPML file declares entities, which Warta does not read")
    try:
        root = ET.fromstring(data)  # noqa: S314 - entity declarations are refused above
    except ET.ParseError as e:
        raise OpmlError(f"the OPML file is not well-formed XML: {e}") from e
    if root.tag.lower() != "opml":
        raise OpmlError(f"the file is not OPML (its root element is <{root.tag}>)")
    found: dict[str, str | None] = {}
    for outline in root.iter("outline"):
        url = _attr(outline, "xmlUrl")
        if url and url not in found:
            found[url] = _attr(outline, "title") or _attr(outline, "text")
    return list(found.items())


def write_opml(sources: Sequence[Source]) -> bytes:
    """An OPML 2.0 document listing the sources (id as text, name as title, language kept)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = "Warta sources"
    body = ET.SubElement(root, "body")
    for source in sources:
        attrs = {"type": "rss", "text": source.name or source.id, "xmlUrl": source.url}
        if source.name:
            attrs["title"] = source.name
        if source.language:
            attrs["language"] = source.language
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
