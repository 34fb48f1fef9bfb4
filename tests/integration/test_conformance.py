"""The conformance run over ../shared/corpora: no crash, no hang, real feeds readable."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPORA = REPO / ".." / "shared" / "corpora"

pytestmark = [
    pytest.mark.corpora,
    pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is absent"),
]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_conformance", REPO / "bench" / "conformance.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


async def test_every_corpus_feed_ends_in_items_or_a_clear_error() -> None:
    """Every real capture and a sample of feedparser's conformance feeds, served with their
    headers, ends with items or a clear source error; real feeds (windows-1251, undeclared
    Latin-1, gzip, UTF-16, ...) come out without mojibake and with their true titles."""
    bench = _bench()
    cases = [c for i, c in enumerate(bench.load_cases(CORPORA)) if c.real or i % 7 == 0]
    report = await bench.run(cases)
    assert report.problems == []
    assert report.outcomes["CRASH"] == 0
    assert report.outcomes["HANG"] == 0
    assert report.outcomes["items"] >= 100
    assert sum(report.outcomes.values()) == len(cases)
