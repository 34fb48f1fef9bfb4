"""Entities: named things (countries, leaders, organisations) and the aliases that name them.

An entity's aliases are grouped by language; `country: XX` adds the territory's name in every
language Babel's CLDR data knows (read from Babel's bundled data, once, never from the network).
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ANY_LANGUAGE = "*"

# Languages treated as one for alias purposes: detectors confuse them, newsrooms share names.
_GROUPS: Mapping[str, str] = {"ms": "id", "in": "id", "zsm": "id", "nb": "no", "nn": "no"}

_LANG_RE = re.compile(r"^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")


def language_group(code: str) -> str:
    """The alias group of a language code: `zh-TW` -> `zh`, `ms` -> `id`, `pt_BR` -> `pt`."""
    base = code.replace("_", "-").split("-", 1)[0].lower()
    return _GROUPS.get(base, base)


def valid_language(code: str) -> bool:
    """Whether `code` looks like a BCP 47 language tag (or `*`)."""
    return code == ANY_LANGUAGE or bool(_LANG_RE.match(code))


@dataclass(frozen=True, slots=True, kw_only=True)
class Alias:
    """One name of an entity, as written in a rules file."""

    text: str
    language: str = ANY_LANGUAGE  # a language group, or "*" for every article
    exact: bool = False  # case and diacritics must match as written (guards AS, RI, US)
    title_only: bool = False  # hits only in titles (another guard for short names)


@dataclass(frozen=True, slots=True, kw_only=True)
class Entity:
    """A named thing; `exclude` lists longer names that contain an alias but mean something else."""

    id: str
    country: str | None = None
    aliases: tuple[Alias, ...] = ()
    exclude: tuple[Alias, ...] = ()
    short: tuple[Alias, ...] = ()  # names only when joined to another's by a middle dot: 북·러
    includes: tuple[str, ...] = ()  # entities whose mentions count as this one's (its leader)

    def all_aliases(self) -> tuple[Alias, ...]:
        """Aliases as written plus, for a country, its CLDR names in every language."""
        if self.country is None:
            return self.aliases
        from bot.analyze.text import fold_str

        # A name written in the file wins over the same CLDR name (it may carry a guard).
        own = {(a.language, fold_str(a.text)) for a in self.aliases}
        extra = (a for a in cldr_aliases(self.country) if (a.language, fold_str(a.text)) not in own)
        return self.aliases + tuple(extra)


def dotted_pairs(entity: Entity, entities: Mapping[str, Entity]) -> tuple[Alias, ...]:
    """`X·Y` and `Y·X` for each short form X of `entity` and Y of every other entity, in one
    language, as Korean headlines join countries (북·러, 한·미·일, 美·中): a single syllable is
    a country only there, so `미` alone (beauty, not yet) never is. Folding makes every middle
    dot (ㆍ, ・) the interpunct, so one is enough."""
    out: list[Alias] = []
    for mine in entity.short:
        for other in entities.values():
            if other.id == entity.id:
                continue
            for theirs in (s for s in other.short if s.language == mine.language):
                for text in (f"{mine.text}·{theirs.text}", f"{theirs.text}·{mine.text}"):
                    out.append(Alias(text=text, language=mine.language))
    return tuple(out)


def known_territory(code: str) -> bool:
    """Whether Babel knows the territory code (e.g. `KP`)."""
    return code in _cldr_names()


def cldr_aliases(code: str) -> tuple[Alias, ...]:
    """The territory's names in every CLDR language, each limited to articles in that language."""
    return tuple(
        Alias(text=name, language=lang) for lang, name in sorted(_cldr_names().get(code, ()))
    )


@functools.cache
def _cldr_names() -> Mapping[str, frozenset[tuple[str, str]]]:
    """Territory code -> {(language group, name)}: from the cache file when Babel's version
    matches, else read from Babel (about 1 s) and cached for the next start."""
    path = _cache_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {code: frozenset((g, n) for g, n in pairs) for code, pairs in data.items()}
    except (OSError, ValueError, TypeError):
        pass
    names = _names_from_babel()
    try:  # a cache that cannot be written is only a slower next start
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({c: sorted(p) for c, p in names.items()}), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass
    return names


def _cache_path() -> Path:
    import babel

    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "warta" / f"cldr-territories-{babel.__version__}-v1.json"


def _names_from_babel() -> dict[str, frozenset[tuple[str, str]]]:
    """Territory code -> {(language group, name)} over Babel's locales."""
    from babel import localedata  # imported here: loading it all is the slow part

    names: dict[str, set[tuple[str, str]]] = {}
    for ident in localedata.locale_identifiers():
        parts = ident.split("_")
        if len(parts) > 2 or (len(parts) == 2 and len(parts[1]) != 4):
            continue  # regional variants repeat their language's names
        group = language_group(parts[0])
        for code, name in localedata.load(ident)["territories"].items():
            if code.isalpha() and len(code) == 2:
                names.setdefault(code, set()).add((group, _clean(name)))
        # Babel caches each locale's whole data (~150 MB for all of them, never given back to
        # the OS once allocated); only the names are needed, so drop it locale by locale.
        localedata._cache.clear()
    return {code: frozenset(pairs) for code, pairs in names.items()}


def _clean(name: str) -> str:
    """CLDR writes some names with a parenthesised note ("Myanmar (Burma)"): keep the name."""
    return re.sub(r"\s*[(（].*?[)）]", "", name).strip() or name
