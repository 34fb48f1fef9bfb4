"""The language of an article, as a normalized lowercase code.

Order of evidence: the source's configured language, then the feed's declared language (unless
the text is written in a script that language never uses: an "en" WordPress default on a Korean
site), then the text's script where it names one language, then langdetect (seeded, one factory
loaded once) on title and summary, kept only above a confidence floor.

Code normalization (`normalize_code`): lowercase, "_" read as "-", the region dropped ("en-US" ->
"en", "pt-BR" -> "pt") except for Chinese, which keeps its script: "zh", "zh-cn", "zh-sg",
"zh-hans" -> "zh" (simplified) and "zh-tw", "zh-hk", "zh-mo", "zh-hant" -> "zh-tw" (traditional).
Legacy codes are mapped ("in" -> "id", "iw" -> "he", "nb"/"nn" -> "no", "fil" -> "tl").

Indonesian and Malay: langdetect often cannot tell them apart on a headline. When the best guess
is one of them and the other is a close second, the answer is the group's code "id"
(`ID_MS_GROUP`); use `language_group` to compare languages by group.
"""

from __future__ import annotations

import threading
from typing import Any

LANGDETECT_FLOOR = 0.80
MIN_DETECT_LETTERS = 8  # fewer letters than this: too short to detect
ID_MS_GROUP = "id"
_GROUPS = {"ms": ID_MS_GROUP, "id": ID_MS_GROUP}
_LEGACY = {"in": "id", "iw": "he", "ji": "yi", "jw": "jv", "nb": "no", "nn": "no", "fil": "tl"}
_ISO3 = {
    "eng": "en", "ind": "id", "msa": "ms", "may": "ms", "zho": "zh", "chi": "zh", "jpn": "ja",
    "kor": "ko", "rus": "ru", "ukr": "uk", "ara": "ar", "arb": "ar", "hin": "hi", "tha": "th",
    "vie": "vi", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es", "por": "pt",
}  # fmt: skip
_TRADITIONAL = {"tw", "hk", "mo", "hant"}

# (first, last, script); Latin and "Common" are not listed.
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0370, 0x03FF, "Greek"), (0x0400, 0x052F, "Cyrillic"), (0x0530, 0x058F, "Armenian"),
    (0x0590, 0x05FF, "Hebrew"), (0x0600, 0x06FF, "Arabic"), (0x0750, 0x077F, "Arabic"),
    (0x0900, 0x097F, "Devanagari"), (0x0980, 0x09FF, "Bengali"), (0x0A00, 0x0A7F, "Gurmukhi"),
    (0x0A80, 0x0AFF, "Gujarati"), (0x0B80, 0x0BFF, "Tamil"), (0x0C00, 0x0C7F, "Telugu"),
    (0x0C80, 0x0CFF, "Kannada"), (0x0D00, 0x0D7F, "Malayalam"), (0x0D80, 0x0DFF, "Sinhala"),
    (0x0E00, 0x0E7F, "Thai"), (0x0E80, 0x0EFF, "Lao"), (0x1000, 0x109F, "Myanmar"),
    (0x10A0, 0x10FF, "Georgian"), (0x1100, 0x11FF, "Hangul"), (0x1200, 0x137F, "Ethiopic"),
    (0x1780, 0x17FF, "Khmer"), (0x3040, 0x309F, "Kana"), (0x30A0, 0x30FF, "Kana"),
    (0x3130, 0x318F, "Hangul"), (0x3400, 0x4DBF, "Han"), (0x4E00, 0x9FFF, "Han"),
    (0xAC00, 0xD7AF, "Hangul"), (0xF900, 0xFAFF, "Han"), (0xFF66, 0xFF9F, "Kana"),
)  # fmt: skip
# A script that names one language; the others are settled by langdetect within `_FAMILY`.
_SCRIPT_LANGUAGE = {
    "Hangul": "ko", "Kana": "ja", "Thai": "th", "Greek": "el", "Hebrew": "he",
    "Armenian": "hy", "Georgian": "ka", "Bengali": "bn", "Tamil": "ta", "Telugu": "te",
    "Kannada": "kn", "Malayalam": "ml", "Gujarati": "gu", "Gurmukhi": "pa", "Khmer": "km",
    "Lao": "lo", "Myanmar": "my", "Sinhala": "si", "Ethiopic": "am",
}  # fmt: skip
_FAMILY: dict[str, tuple[frozenset[str], str | None]] = {
    "Cyrillic": (frozenset({"ru", "uk", "bg", "mk", "sr", "be", "kk", "mn"}), None),
    "Arabic": (frozenset({"ar", "fa", "ur", "ps"}), "ar"),
    "Devanagari": (frozenset({"hi", "mr", "ne"}), "hi"),
    "Han": (frozenset({"zh", "zh-tw"}), "zh"),
}
_SCRIPT_OF_LANGUAGE = {lang: script for script, lang in _SCRIPT_LANGUAGE.items()} | {
    lang: script for script, (langs, _) in _FAMILY.items() for lang in langs
}


def normalize_code(code: str | None) -> str | None:
    """A language tag in Warta's form ("en-US" -> "en", "zh-Hant-TW" -> "zh-tw"); None if empty."""
    if not code or not code.strip():
        return None
    parts = code.strip().lower().replace("_", "-").split("-")
    base = _ISO3.get(parts[0], _LEGACY.get(parts[0], parts[0]))
    if base == "zh":
        return "zh-tw" if _TRADITIONAL.intersection(parts[1:]) else "zh"
    return base if base.isalpha() and 2 <= len(base) <= 3 else None


def language_group(code: str | None) -> str | None:
    """The group a language belongs to for matching ("ms" and "id" are one group)."""
    norm = normalize_code(code)
    return _GROUPS.get(norm, norm) if norm else None


def script_of(text: str, *, sample: int = 600) -> str | None:
    """The dominant non-Latin script of `text` ("Hangul", "Han", "Cyrillic", ...), or None when the
    text is mostly Latin or has no letters. Kana anywhere among Han makes it "Kana" (Japanese)."""
    head = text[:sample]
    if head.isascii():  # the common case for Latin-script feeds, at C speed
        return None
    counts: dict[str, int] = {}
    letters = 0
    for ch in head:
        if not ch.isalpha():
            continue
        letters += 1
        script = _script_of_char(ord(ch))
        if script:
            counts[script] = counts.get(script, 0) + 1
    if not counts or letters == 0:
        return None
    if counts.get("Kana", 0) and counts.get("Kana", 0) + counts.get("Han", 0) >= letters * 0.3:
        return "Kana"
    script, count = max(counts.items(), key=lambda kv: kv[1])
    return script if count >= letters * 0.3 else None


def _script_of_char(cp: int) -> str | None:
    if cp < 0x0370:
        return None
    for first, last, script in _RANGES:
        if first <= cp <= last:
            return script
    return None


def detect_language(
    *,
    title: str,
    text: str,
    source_language: str | None = None,
    feed_language: str | None = None,
    floor: float = LANGDETECT_FLOOR,
) -> str | None:
    """The article's language code, or None when nothing says it with enough confidence."""
    configured = normalize_code(source_language)
    if configured:
        return configured
    sample = f"{title}\n{text[:1000]}".strip()
    script = script_of(sample)
    declared = normalize_code(feed_language)
    if declared and _compatible(declared, script):
        return declared
    if script in _SCRIPT_LANGUAGE:
        return _SCRIPT_LANGUAGE[script]
    if script in _FAMILY:
        allowed, default = _FAMILY[script]
        return _detect(sample, floor, allowed) or default
    return _detect(sample, floor, None)


def _compatible(language: str, script: str | None) -> bool:
    expected = _SCRIPT_OF_LANGUAGE.get(language)
    if script is None:
        return expected is None  # Latin text: any language written in Latin script
    if script == "Han" and expected == "Kana":
        return True  # Japanese text without kana in the sample
    return expected == script


def _detect(sample: str, floor: float, allowed: frozenset[str] | None) -> str | None:
    if sum(ch.isalpha() for ch in sample) < MIN_DETECT_LETTERS:
        return None
    ranked = [
        (code, prob)
        for code, prob in _detector_probabilities(sample)
        if allowed is None or code in allowed
    ]
    if not ranked:
        return None
    best, prob = ranked[0]
    if best in _GROUPS:
        group_prob = sum(p for c, p in ranked if c in _GROUPS)
        other = next((p for c, p in ranked if c in _GROUPS and c != best), 0.0)
        if other >= 0.1 * prob:
            return ID_MS_GROUP if group_prob >= floor else None
    return best if prob >= floor else None


_lock = threading.Lock()
_factory: Any = None


def _detector_probabilities(sample: str) -> list[tuple[str, float]]:
    """langdetect's ranked guesses (normalized codes); its factory is loaded once and seeded."""
    from langdetect.lang_detect_exception import LangDetectException

    detector = _get_factory().create()
    detector.append(sample)
    try:
        found = detector.get_probabilities()
    except LangDetectException:
        return []
    out: list[tuple[str, float]] = []
    for lang in found:
        code = normalize_code(str(lang.lang))
        if code:
            out.append((code, float(lang.prob)))
    return out


def _get_factory() -> Any:
    global _factory
    with _lock:
        if _factory is None:
            from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

            factory = DetectorFactory()
            factory.load_profile(PROFILES_DIRECTORY)
            DetectorFactory.seed = 0
            factory.seed = 0
            _factory = factory
        return _factory
