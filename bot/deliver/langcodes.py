"""Language codes: Warta's canonical form, and each provider's codes mapped to and from it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

T = TypeVar("T")

# Our codes: lower-case ISO 639-1 where one exists; a region only where it changes the written
# language (zh-CN simplified, zh-TW traditional, pt-BR). Providers' codes are mapped to and from.
_ALIASES = {
    "iw": "he", "in": "id", "ji": "yi", "jw": "jv", "nb": "no", "fil": "tl",
    "zh": "zh-CN", "zh-hans": "zh-CN", "zh-cn": "zh-CN", "zh-sg": "zh-CN", "zh-my": "zh-CN",
    "zh-hant": "zh-TW", "zh-tw": "zh-TW", "zh-hk": "zh-TW", "zh-mo": "zh-TW",
    "pt-br": "pt-BR", "pb": "pt-BR", "zt": "zh-TW",
}  # fmt: skip
# written without spaces between sentences
NO_SPACES = frozenset({"ja", "zh-CN", "zh-TW", "th", "lo", "km", "my"})


def canonical_language(code: str) -> str:
    """Warta's form of a code: `zh-Hans`, `zh_cn` -> `zh-CN`; `iw` -> `he`; `en-US` -> `en`."""
    c = code.strip().replace("_", "-").lower()
    base, *subtags = c.split("-")
    for candidate in (c, *(f"{base}-{sub}" for sub in subtags), base):
        if candidate in _ALIASES:  # zh-Hant-TW is zh-Hant, zh-yue-HK is zh-HK
            return _ALIASES[candidate]
    return base


def lookup(table: Mapping[str, T], code: str | None) -> T | None:
    """`table`'s entry for a language code: by its canonical form, then its base language
    (`zh-Hant` and `zh-HK` read `zh-TW`, `pt-BR` reads `pt`); None when it has neither."""
    if not code:
        return None
    canon = canonical_language(code)
    found = table.get(canon)
    return found if found is not None else table.get(canon.split("-")[0])


def code_map(native: Iterable[str]) -> dict[str, str]:
    """Our code -> the provider's code; among several (de-AT, de-DE) the bare or `xx-XX` wins."""
    best: dict[str, tuple[int, str]] = {}
    for code in native:
        canon = canonical_language(code)
        parts = code.replace("_", "-").split("-")
        rank = 0 if len(parts) == 1 or code.lower() == canon.lower() else 1
        rank += 0 if len(parts) == 1 or parts[1].lower() == parts[0].lower() else 1
        if canon not in best or rank < best[canon][0]:
            best[canon] = (rank, code)
    codes = {canon: code for canon, (_, code) in best.items()}
    if "pt" in codes:
        codes.setdefault("pt-BR", codes["pt"])
    return codes
