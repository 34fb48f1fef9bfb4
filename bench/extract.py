"""Main-text extraction quality and speed on ../shared/corpora/newspaper4k-articles.

Prints, per page with a reference text, the token-overlap recall and precision (words, or
character bigrams for space-less scripts) and the mean time per page. Asserts nothing.

    .venv/bin/python bench/extract.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.ingest.extract import extract_main_text  # noqa: E402
from tests.integration.test_extract_corpus import CORPUS, corpus_pages, overlap  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed runs over the corpus")
    args = parser.parse_args()
    pages = corpus_pages()
    if not pages:
        print(f"no corpus at {CORPUS}")
        return
    print(f"{'page':<24}{'KB':>7}{'recall':>8}{'precision':>11}{'chars':>8}")
    recalls, precisions = [], []
    for name, body, expected in pages:
        got = extract_main_text(body, url=f"https://example.org/{name}")
        recall, precision = overlap(expected, got)
        recalls.append(recall)
        precisions.append(precision)
        print(f"{name:<24}{len(body) / 1024:>7.0f}{recall:>8.2f}{precision:>11.2f}{len(got):>8}")
    print(f"{'mean':<31}{statistics.mean(recalls):>8.2f}{statistics.mean(precisions):>11.2f}")
    print(f"{'min':<31}{min(recalls):>8.2f}{min(precisions):>11.2f}")
    started = time.perf_counter()
    for _ in range(args.rounds):
        for name, body, _expected in pages:
            extract_main_text(body, url=f"https://example.org/{name}")
    elapsed = time.perf_counter() - started
    total = args.rounds * len(pages)
    size = sum(len(p[1]) for p in pages) / len(pages) / 1024
    per_page = elapsed / total * 1000
    print(f"mean time per page: {per_page:.1f} ms ({len(pages)} pages, mean {size:.0f} KB)")


if __name__ == "__main__":
    main()
