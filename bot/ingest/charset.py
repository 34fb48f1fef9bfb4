"""Decoding bytes whose charset label may lie: feeds and article pages.

A wrong label is common in the wild. Order: a BOM or UTF-16/32 layout (left to the reader);
bytes that are valid UTF-8 are UTF-8 whatever the label says (valid UTF-8 by accident is
vanishingly rare in legacy encodings, while "ISO-8859-1" on UTF-8 is common); then the HTTP
charset, then the document's own declaration (XML's, or a page's `<meta charset>`), each only
if it decodes the bytes; then a statistical guess (charset_normalizer); finally windows-1252.
Labels are read as browsers read them (`gb2312` is gb18030, `iso-8859-1` is windows-1252).
"""

from __future__ import annotations

import codecs
import re

_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)
_TAGS = re.compile(r"<[^>]*>")
# labels whose WHATWG decoder is a superset codec, as browsers read them
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs",
            "shift_jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "euc-kr": "cp949",
            "ks_c_5601-1987": "cp949", "tis-620": "cp874", "iso-8859-11": "cp874",
            "iso-8859-1": "windows-1252", "latin1": "windows-1252", "us-ascii": "windows-1252",
            "ascii": "windows-1252", "iso-8859-9": "windows-1254"}  # fmt: skip


def decode(body: bytes, *labels: str | None) -> tuple[str, str] | None:
    """`body` as text and the encoding it was read in, or None to leave it to the reader (BOM,
    UTF-16/32): UTF-8 when the bytes are, else the first of `labels` (the HTTP charset, then the
    document's own) that decodes them, else a guess. Each candidate is decoded once, and its
    text kept."""
    if body[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or b"\x00" in body[:4]:
        return None
    for label in ("utf-8", *labels):
        if label and (text := _strict(body, label)) is not None:
            return text, label
    guess = _guess(body)
    return body.decode(_codec(guess), errors="replace"), guess


def _strict(body: bytes, label: str) -> str | None:
    try:
        return body.decode(_codec(label))
    except (LookupError, UnicodeDecodeError):
        return None


def _guess(body: bytes) -> str:
    """windows-1252 when that reads as mostly-ASCII Latin text (as browsers assume), else a
    statistical guess: Cyrillic in windows-1251 read as 1252 is nearly all accented letters."""
    latin = _TAGS.sub(" ", body[:200_000].decode("windows-1252", errors="replace"))
    letters = [ch for ch in latin if ch.isalpha()]
    accented = sum(1 for ch in letters if ord(ch) > 0x7F)
    if not letters or accented <= 0.3 * len(letters):
        return "windows-1252"
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - charset_normalizer comes with requests
        return "windows-1252"
    best = from_bytes(body[:200_000]).best()
    fits = best is not None and _strict(body, best.encoding) is not None
    return best.encoding if best is not None and fits else "windows-1252"


def to_utf8(body: bytes, http_charset: str | None) -> tuple[bytes, str | None]:
    """A feed's bytes re-encoded as UTF-8 (and the charset to tell feedparser); a BOM or a
    UTF-16/32 layout is left as it is, for feedparser to read."""
    match = _XML_ENCODING.match(body[:300])
    declared = match.group(1).decode("ascii") if match else None
    found = decode(body, http_charset, declared)
    if found is None:
        return body, http_charset
    text, encoding = found
    if encoding == "utf-8":  # already what feedparser is given: no encoding round trip
        while body.startswith(codecs.BOM_UTF8):
            body = body[len(codecs.BOM_UTF8) :]
        return body, "utf-8"
    return text.lstrip("\ufeff").encode("utf-8"), "utf-8"


def decode_page(body: bytes, charset: str | None, *, max_bytes: int | None = None) -> str:
    """An HTML page as text: the HTTP charset, else `<meta charset>`, each only if it decodes
    the bytes, through `decode`; only the first `max_bytes` are read, if given."""
    if max_bytes is not None and len(body) > max_bytes:
        body = _cut(body, max_bytes)
    match = _META_CHARSET.search(body[:16_384])
    meta = match.group(1).decode("ascii") if match else None
    found = decode(body, charset, meta)
    if found is not None:
        return found[0].lstrip("\ufeff")
    bom = body[:2] in (b"\xff\xfe", b"\xfe\xff")  # a BOM or a UTF-16 layout
    encoding = "utf-16" if bom else "utf-16-be" if body[:1] == b"\x00" else "utf-16-le"
    return body.decode(encoding, errors="replace").lstrip("\ufeff")


def _cut(body: bytes, size: int) -> bytes:
    """The first `size` bytes, less a UTF-8 character cut in two (which would hide the UTF-8)."""
    head = body[:size]
    for back in range(1, 4):
        byte = head[-back]
        if byte < 0x80:
            break
        if byte >= 0xC0:  # the lead byte of the last character: is it whole?
            length = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return head if length <= back else head[:-back]
    return head


def _codec(label: str) -> str:
    return _ALIASES.get(label.lower(), label)
