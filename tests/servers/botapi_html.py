"""Telegram's HTML parse mode, as the local Bot API server checks it.

A port of the behaviour of TDLib's `parse_html()` (td/telegram/MessageEntity.cpp): the tag
whitelist, the attribute grammar, the entity decoding (`&lt;` `&gt;` `&amp;` `&quot;`, numeric
references, the `;` optional) and the error texts with UTF-8 byte offsets, which the Bot API
reports as `Bad Request: can't parse entities: <message>`. The whitelist is the one in
`../shared/corpora/telegram-bot-api/html-parse-mode-whitelist.json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ALLOWED_TAGS = frozenset(
    {
        "a", "b", "blockquote", "code", "del", "em", "i", "ins", "pre", "s", "span", "strike",
        "strong", "tg-emoji", "tg-spoiler", "tg-time", "u",
    }
)  # fmt: skip
ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
    "a": "text_link",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACE = frozenset(" \t\r\n\v\0")


class HTMLParseError(ValueError):
    """The text is not valid Telegram HTML; str(error) is TDLib's message."""


@dataclass
class _Open:
    tag: str
    argument: str
    utf16_start: int
    attrs: dict[str, str] = field(default_factory=dict)


def _utf16_len(s: str) -> int:
    return sum(2 if ord(c) > 0xFFFF else 1 for c in s)


def _byte_offset(text: str, i: int) -> int:
    return len(text[:i].encode("utf-8", "surrogatepass"))


def _at(text: str, i: int) -> str:
    return text[i] if i < len(text) else "\0"


def decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """(character, position after it) for an HTML entity at `pos`, or None when there is none."""
    end = pos + 1
    if _at(text, end) == "#":
        end += 1
        value = 0
        if _at(text, end) == "x":
            end += 1
            while _at(text, end) in "0123456789abcdefABCDEF" and _at(text, end) != "\0":
                value = value * 16 + int(text[end], 16)
                end += 1
                if value >= 0x10FFFF:
                    return None
        else:
            while _at(text, end).isdigit() and _at(text, end).isascii():
                value = value * 10 + int(text[end])
                end += 1
                if value >= 0x10FFFF:
                    return None
        if value == 0 or end - pos >= 10 or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while _at(text, end).isascii() and _at(text, end).isalpha():
            end += 1
        name = text[pos + 1 : end]
        if name not in _NAMED:
            return None
        char = _NAMED[name]
    if _at(text, end) == ";":
        end += 1
    return char, end


def _attribute_value(text: str, i: int, tag: str, begin: int) -> tuple[str, int]:
    if _at(text, i) not in "'\"" or _at(text, i) == "\0":
        start = i
        while (_at(text, i).isascii() and _at(text, i).isalnum()) or _at(text, i) in ".-":
            if _at(text, i) == "\0":
                break
            i += 1
        if _at(text, i) not in _SPACE and _at(text, i) != ">":
            raise HTMLParseError(
                f"Unexpected end of name token at byte offset {_byte_offset(text, start)}"
            )
        return text[start:i].lower(), i
    quote = text[i]
    i += 1
    value: list[str] = []
    while i < len(text) and text[i] != quote:
        if text[i] == "&" and (decoded := decode_entity(text, i)) is not None:
            value.append(decoded[0])
            i = decoded[1]
            continue
        value.append(text[i])
        i += 1
    if i < len(text):
        i += 1
    return "".join(value), i


def _start_tag(text: str, begin: int) -> tuple[_Open, int]:
    i = begin + 1
    while _at(text, i) not in _SPACE and _at(text, i) != ">":
        i += 1
    if i >= len(text):
        raise HTMLParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
    tag = text[begin + 1 : i].lower()
    offset = _byte_offset(text, begin)
    if tag not in ALLOWED_TAGS:
        raise HTMLParseError(f'Unsupported start tag "{tag}" at byte offset {offset}')
    attrs: dict[str, str] = {}
    while _at(text, i) != ">":
        while i < len(text) and text[i] in _SPACE:
            i += 1
        if _at(text, i) == ">":
            break
        name_start = i
        while _at(text, i) not in _SPACE and _at(text, i) not in "=>/":
            i += 1
        name = text[name_start:i]
        if not name:
            raise HTMLParseError(f'Empty attribute name in the tag "{tag}" at byte offset {offset}')
        while i < len(text) and text[i] in _SPACE:
            i += 1
        if _at(text, i) != "=":
            attrs[name.lower()] = ""
            continue
        i += 1
        while i < len(text) and text[i] in _SPACE:
            i += 1
        if i >= len(text):
            raise HTMLParseError(f'Unclosed start tag "{tag}" at byte offset {offset}')
        value, i = _attribute_value(text, i, tag, begin)
        if i >= len(text):
            raise HTMLParseError(f"Unclosed start tag at byte offset {offset}")
        attrs[name.lower()] = value
    argument = _argument(tag, attrs)
    if tag == "span" and argument != "spoiler":
        raise HTMLParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    return _Open(tag=tag, argument=argument, utf16_start=0, attrs=attrs), i


def _argument(tag: str, attrs: dict[str, str]) -> str:
    if tag == "a":
        return attrs.get("href", "")
    if tag == "code" and attrs.get("class", "").startswith("language-"):
        return attrs["class"][9:]
    if tag == "span" and attrs.get("class", "").startswith("tg-"):
        return attrs["class"][3:]
    if tag == "tg-emoji":
        return attrs.get("emoji-id", "")
    return ""


def _end_tag(text: str, begin: int, stack: list[_Open]) -> tuple[_Open, int]:
    offset = _byte_offset(text, begin)
    if not stack:
        raise HTMLParseError(f"Unexpected end tag at byte offset {offset}")
    i = begin + 2
    while _at(text, i) not in _SPACE and _at(text, i) != ">":
        i += 1
    name = text[begin + 2 : i]
    while i < len(text) and text[i] in _SPACE:
        i += 1
    if _at(text, i) != ">":
        raise HTMLParseError(f"Unclosed end tag at byte offset {offset}")
    top = stack[-1]
    if name and name.lower() != top.tag:
        raise HTMLParseError(
            f'Unmatched end tag at byte offset {offset}, expected "</{top.tag}>", found "</{name}>"'
        )
    return stack.pop(), i


def _entity(opened: _Open, result: list[str], utf16_end: int) -> dict[str, Any] | None:
    length = utf16_end - opened.utf16_start
    if length <= 0:
        return None
    kind = ENTITY_TYPES[opened.tag]
    entity: dict[str, Any] = {"type": kind, "offset": opened.utf16_start, "length": length}
    if opened.tag == "a":
        url = opened.argument or "".join(result)[-length:]
        if not url.startswith(("http://", "https://", "tg://")):
            return None  # TDLib drops a link it cannot check, silently
        entity["url"] = url
    elif opened.tag == "pre" and opened.argument:
        entity["language"] = opened.argument
    elif opened.tag == "blockquote" and "expandable" in opened.attrs:
        entity["type"] = "expandable_blockquote"
    elif opened.tag == "tg-emoji":
        entity["custom_emoji_id"] = opened.argument
    return entity


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """The plain text and entities Telegram makes of `text`; HTMLParseError when it refuses."""
    result: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[_Open] = []
    utf16 = 0
    i = 0
    while i < len(text):
        c = text[i]
        if c == "&" and (decoded := decode_entity(text, i)) is not None:
            result.append(decoded[0])
            utf16 += _utf16_len(decoded[0])
            i = decoded[1]
            continue
        if c != "<":
            result.append(c)
            utf16 += _utf16_len(c)
            i += 1
            continue
        if _at(text, i + 1) != "/":
            opened, i = _start_tag(text, i)
            opened.utf16_start = utf16
            stack.append(opened)
        else:
            closed, i = _end_tag(text, i, stack)
            if stack and closed.tag == "code" and stack[-1].tag == "pre" and closed.argument:
                stack[-1].argument = closed.argument
            if (entity := _entity(closed, result, utf16)) is not None:
                entities.append(entity)
        i += 1
    if stack:
        raise HTMLParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(result), entities
