"""Fingerprints that say two items are the same story. Pure: no I/O, no clock.

Within one source (`seen_keys`): the item's guid, then its canonical URL, then its normalized
title, most specific first. An item is already seen when ANY of its keys was recorded for the
source: a feed that rewrites guids, or republishes a link with new tracking parameters, does not
bring an old story back.

Across sources (`story_keys`, `title_simhash`, `near_duplicate`): the canonical URL, and a 64-bit
simhash of the normalized title's character trigrams; two titles are near-duplicates when their
hashes differ in at most `NEAR_BITS` bits. The time window (default `DEFAULT_WINDOW`, 48 h) is
applied by the caller, which compares only articles published within it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import timedelta

from bot.model import Article

DEFAULT_WINDOW = timedelta(hours=48)
NEAR_BITS = 8  # unrelated headlines (ntrex, 4 languages) differ by 13+ bits
MIN_TITLE_CHARS = 12  # a shorter title ("Live", "Update") is no evidence of sameness
_MASK = (1 << 64) - 1
_PUNCT = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")


def normalize_title(title: str) -> str:
    """Title folded for comparison: NFKC, case-folded, accents and punctuation dropped."""
    text = unicodedata.normalize("NFKD", title.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", _PUNCT.sub(" ", text)).strip()


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def seen_keys(article: Article) -> list[str]:
    """Keys identifying the item within its source, most specific first: "guid:…", "url:…",
    "title:…" (each a hex digest, so keys stay short); the title key only for a title long enough
    to identify a story."""
    keys = [f"guid:{_digest(article.guid)}"]
    if article.url:
        keys.append(f"url:{_digest(article.url)}")
    title = normalize_title(article.title)
    if len(title) >= MIN_TITLE_CHARS:
        keys.append(f"title:{_digest(title)}")
    return list(dict.fromkeys(keys))


def story_keys(article: Article) -> list[str]:
    """Keys that identify the story across sources by exact match (the canonical URL)."""
    return [f"url:{_digest(article.url)}"] if article.url else []


def _shingles(title: str) -> set[str]:
    text = normalize_title(title)
    if len(text) < 3:
        return {text} if text else set()
    return {text[i : i + 3] for i in range(len(text) - 2)}


def title_simhash(title: str) -> int:
    """A 64-bit simhash of the title's character trigrams (works for every script); 0 when the
    title is too short to compare."""
    if len(normalize_title(title)) < MIN_TITLE_CHARS:
        return 0
    weights = [0] * 64
    for shingle in _shingles(title):
        h = int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if (h >> bit) & 1 else -1
    value = 0
    for bit, weight in enumerate(weights):
        if weight > 0:
            value |= 1 << bit
    return value & _MASK


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit hashes."""
    return ((a ^ b) & _MASK).bit_count()


def near_duplicate(a: int, b: int, *, max_bits: int = NEAR_BITS) -> bool:
    """True when two title simhashes are close enough to be the same story (0 never matches)."""
    if a == 0 or b == 0:
        return False
    return hamming(a, b) <= max_bits
