"""Text folding, word classes and sentence splitting for matching.

Folding makes matching ignore case, Unicode width and diacritics (and which middle dot joins two
names): `fold("ＲＵＳＩＡ")`,
`fold("Rúsia")` and `fold("rusia")` are all "rusia". Each character is folded on its own
(through a cached translation table, so the common case runs at C speed), which lets us keep a
map from every folded offset back to the original text: key lines bold hits in the original.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from bot.analyze.hanzi import simplified

# Marks that are diacritics (Latin, Greek, Cyrillic, Arabic harakat). Vowel signs of Indic and
# Thai scripts are also combining marks, but they carry meaning and are kept.
_DIACRITICS: Final = re.compile(
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    "\u064b-\u065f\u0670\u0591-\u05c7]"
)
_SPACES: Final = frozenset(
    "\t\n\r\x0b\x0c\u00a0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


# Dots that join names (북·러, 北ㆍ러, キム・ジョンウン): one character to match on.
MIDDLE_DOT: Final = "\u00b7"
_MIDDLE_DOTS: Final = frozenset("\u00b7\u318d\u30fb\uff65\u2027")  # · ㆍ ・ ･ ‧


def _fold_char(ch: str) -> str:
    """Fold one character: NFKC, casefold, diacritics dropped, traditional Chinese simplified,
    every space a plain space, every middle dot the interpunct."""
    if ch in _SPACES:
        return " "
    if ch in _MIDDLE_DOTS:
        return MIDDLE_DOT
    out = unicodedata.normalize("NFKC", ch).casefold()
    if out.isascii():
        return out
    out = simplified().get(out, out)
    stripped = _DIACRITICS.sub("", unicodedata.normalize("NFD", out))
    return unicodedata.normalize("NFC", stripped)


class _FoldTable(dict[int, str]):
    """`str.translate` table that computes and remembers each character's folding."""

    def __missing__(self, key: int) -> str:
        value = _fold_char(chr(key))
        self[key] = value
        return value


_TABLE: Final = _FoldTable()


@dataclass(frozen=True, slots=True)
class Folded:
    """Folded text plus, when lengths differ, the original offset of each folded character."""

    text: str
    original: str
    offsets: tuple[int, ...] | None = None  # None: folded offset i is original offset i

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded span back to a span of the original text."""
        if self.offsets is None:
            return start, end
        offs = self.offsets
        o_start = offs[start] if start < len(offs) else len(self.original)
        o_end = offs[end - 1] + 1 if end > 0 else 0
        while o_end < len(self.original) and _is_mark(self.original[o_end]):
            o_end += 1  # keep trailing combining marks with their base letter
        return o_start, o_end


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def fold(text: str) -> Folded:
    """Fold `text` for matching; see the module docstring."""
    if text.isascii():
        return Folded(text.lower().translate(_ASCII_SPACES), text)
    classes = _classes()
    if not classes.changer.search(text):
        return Folded(_fold_run(text, classes), text)
    parts: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in classes.changer.finditer(text):
        if m.start() > pos:
            parts.append(_fold_run(text[pos : m.start()], classes))
            offsets.extend(range(pos, m.start()))
        value = _TABLE[ord(m.group())]
        parts.append(value)
        offsets.extend([m.start()] * len(value))
        pos = m.end()
    parts.append(_fold_run(text[pos:], classes))
    offsets.extend(range(pos, len(text)))
    return Folded("".join(parts), text, tuple(offsets))


def _fold_run(run: str, classes: _Classes) -> str:
    """Fold a run holding no length-changing character: the result has the run's length."""
    out = run.casefold()
    if classes.compat.search(out):
        out = classes.compat.sub(_fold_match, out)
    if classes.decomposable.search(out):
        out = _DIACRITICS.sub("", unicodedata.normalize("NFD", out))
        if not unicodedata.is_normalized("NFC", out):
            out = unicodedata.normalize("NFC", out)
    if len(out) != len(run):  # e.g. conjoining jamo composed: fall back to one by one
        out = run.translate(_TABLE)
    return out


def _fold_match(m: re.Match[str]) -> str:
    return _TABLE[ord(m.group())]


@dataclass(frozen=True, slots=True)
class _Classes:
    changer: re.Pattern[str]  # folding changes the length (expands or deletes)
    compat: re.Pattern[str]  # width and compatibility forms, traditional Chinese: one by one
    decomposable: re.Pattern[str]  # letters that carry a diacritic


_CLASSES: list[_Classes] = []


def _classes() -> _Classes:
    """The character classes above, computed once from the Unicode database (~50 ms)."""
    if not _CLASSES:
        changer: list[int] = []
        compat: list[int] = []
        decomposable: list[int] = []
        for cp in range(0x10000):  # BMP only: `re` tests BMP classes in O(1)
            ch = chr(cp)
            if 0xD800 <= cp < 0xE000 or _plain(ch):
                continue
            folded = _fold_char(ch)
            if len(folded) != 1:
                changer.append(cp)
            elif _DIACRITICS.search(unicodedata.normalize("NFD", ch)):
                decomposable.append(cp)
            elif folded != ch.casefold():
                compat.append(cp)
        astral = "\U00010000-\U0010ffff"  # rare in news: folded one by one
        _CLASSES.append(
            _Classes(
                re.compile(_char_class(changer)[:-1] + astral + "]"),
                re.compile(_char_class(compat)),
                re.compile(_char_class(decomposable)),
            )
        )
    return _CLASSES[0]


def _plain(ch: str) -> bool:
    low = ch.lower()
    return (
        not unicodedata.decomposition(ch)
        and len(low) == 1
        and ch.casefold() == low
        and not unicodedata.category(ch).startswith("M")
        and ch not in _SPACES
        and ch not in _MIDDLE_DOTS
        and ch not in simplified()
    )


def _char_class(codepoints: list[int]) -> str:
    ranges: list[str] = []
    i = 0
    while i < len(codepoints):
        j = i
        while j + 1 < len(codepoints) and codepoints[j + 1] == codepoints[j] + 1:
            j += 1
        ranges.append(
            re.escape(chr(codepoints[i])) + ("-" + re.escape(chr(codepoints[j])) if j > i else "")
        )
        i = j + 1
    return "[" + "".join(ranges) + "]"


_ASCII_SPACES: Final = {ord(c): " " for c in "\t\n\r\x0b\x0c"}


def fold_str(text: str) -> str:
    """Just the folded string (for aliases and keywords)."""
    return fold(text).text


# --- character classes -------------------------------------------------------------------------

# Scripts written without spaces between words, as character ranges (for regex classes).
HAN_KANA: Final = (
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0003134f"
)
SYLLABIC: Final = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"  # Thai, Lao, Myanmar, Khmer
HANGUL: Final = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
_ANYWHERE: Final = re.compile(f"[{HAN_KANA}{SYLLABIC}]")
_HANGUL: Final = re.compile(f"[{HANGUL}]")
_ARABIC: Final = re.compile("[\u0600-\u06ff\u0750-\u077f]")


def script_class(ch: str) -> str:
    """How a character bounds a match: 'anywhere' (CJK, Thai), 'hangul', 'arabic' or 'word'."""
    if _ANYWHERE.match(ch):
        return "anywhere"
    if _HANGUL.match(ch):
        return "hangul"
    if _ARABIC.match(ch):
        return "arabic"
    return "word"


class _CharTable(dict[str, bool]):
    """A memo of a per-character predicate: at most one entry per distinct character seen."""

    def __init__(self, predicate: Callable[[str], bool]) -> None:
        super().__init__()
        self._predicate = predicate

    def __missing__(self, ch: str) -> bool:
        value = self[ch] = self._predicate(ch)
        return value


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or _is_mark(ch)


WORD_CHARS: Final = _CharTable(_is_word_char)
"""`WORD_CHARS[ch]`: letters, digits and combining marks continue a word (memoized: it runs per
hit)."""


def _continues_word(ch: str) -> bool:
    return WORD_CHARS[ch] and script_class(ch) not in ("anywhere", "hangul")


CONTINUES: Final = _CharTable(_continues_word)
"""`CONTINUES[ch]`: whether `ch` continues a word of a script written with spaces: a word
character that is not Han, kana, Thai or Hangul. A change of script is a word boundary, so
`EU는`, `G7サミット` and `与NATO会面` hold the whole words EU, G7 and NATO."""


def is_word_char(ch: str) -> bool:
    """Letters, digits and combining marks continue a word."""
    return WORD_CHARS[ch]


def continues_word(ch: str) -> bool:
    """See `CONTINUES`."""
    return CONTINUES[ch]


# Arabic writes conjunctions, prepositions and the article attached to the next word.
ARABIC_PREFIXES: Final = frozenset(
    ["", "و", "ف", "ب", "ل", "ك", "ال", "وال", "فال", "بال", "كال", "لل", "ولل", "وب", "ول", "س"]
)


# --- sentences and words -----------------------------------------------------------------------

_ABBREVIATIONS: Final = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jr",
        "sr",
        "prof",
        "gen",
        "col",
        "lt",
        "sgt",
        "gov",
        "sen",
        "rep",
        "vs",
        "etc",
        "no",
        "inc",
        "co",
        "corp",
        "ltd",
        "u.s",
        "u.n",
        "u.k",
        "e.u",
        "a.s",
        "p.m",
        "a.m",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    }
)
# The lookahead names every first character: `re` then skips ahead to one (3x faster).
_SENTENCE_END: Final = re.compile(
    r"(?=[.!?…。！？।॥؟\n])"
    r"(?:[.!?…]+[\"'”’»)\]]*(?=\s)|[。！？।॥؟]+[\"'”’」』)]*|\n+)"
)
_LONGEST_ABBREVIATION: Final = max(map(len, _ABBREVIATIONS))
_WORDS: Final = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W\u3040-\u30ff\u3400-\u9fff]+"
)


def sentence_bounds(text: str) -> tuple[int, ...]:
    """Start offsets of the sentences of `text` (the first is always 0).

    Ends are `.`, `!`, `?`, `…` before a space (not after common abbreviations or initials),
    `。`, `！`, `？`, `।`, `؟` anywhere, and line breaks. Thai spaces are not sentence ends.
    """
    starts = [0]
    for m in _SENTENCE_END.finditer(text):
        if m.group().startswith(".") and _is_abbreviation(text, m.start()):
            continue
        end = m.end()
        while end < len(text) and text[end].isspace():
            end += 1
        if 0 < end < len(text) and end != starts[-1]:
            starts.append(end)
    return tuple(starts)


def _is_abbreviation(text: str, dot: int) -> bool:
    # only the few characters before the dot: searching from 0 made long texts quadratic
    window = text[max(0, dot - _LONGEST_ABBREVIATION - 8) : dot]
    if not window or window[-1].isspace():
        return False
    word = window.rsplit(None, 1)[-1].lstrip("(\"'“‘").lower()
    return (len(word) == 1 and word.isalpha()) or word in _ABBREVIATIONS


def sentence_index(starts: tuple[int, ...], offset: int) -> int:
    """Which sentence (index into `starts`) holds `offset`."""
    return bisect.bisect_right(starts, offset) - 1


def sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped."""
    starts = sentence_bounds(text)
    ends = (*starts[1:], len(text))
    return [text[a:b].strip() for a, b in zip(starts, ends, strict=True) if text[a:b].strip()]


def word_starts(folded: str) -> tuple[int, ...]:
    """Start offsets of the words of folded text; each CJK character counts as a word."""
    return tuple(m.start() for m in _WORDS.finditer(folded))


def tokenize(text: str) -> list[str]:
    """The words of `text` after folding."""
    return _WORDS.findall(fold_str(text))
