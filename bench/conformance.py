"""Serve every feed of ../shared/corpora over the local feed server and read each with Warta.

    .venv/bin/python bench/conformance.py [--sample N] [--verbose]

Each file is served with the HTTP headers it declares (feedparser-tests' `Header:` lines; gzip
for the compressed captures) and fetched + parsed + normalized like a source. Every one must end
with items or a clear source error: never a crash, never a hang. The captured real feeds (listed
in real-and-fixture-feeds.index.tsv) must come out readable: no mojibake, and the feed's title
as the index gives it. Prints counts per outcome.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.errors import FeedError, FetchError  # noqa: E402
from bot.ingest.fetch import FetchLimits, make_session  # noqa: E402
from bot.ingest.intake import Fetcher, fetch_feed, http_fetcher  # noqa: E402
from bot.ingest.normalize import normalize_entry, one_line  # noqa: E402
from bot.ingest.parse import FeedLinksFound  # noqa: E402
from bot.model import ParsedFeed, Source, SourceId  # noqa: E402
from tests.servers.feeds import FeedServer  # noqa: E402

CORPORA = ROOT / ".." / "shared" / "corpora"
INDEX = "real-and-fixture-feeds.index.tsv"
HANG_AFTER = 20.0
# UTF-8 read as Latin-1/1252 ("Ã©", "â€™"), or as windows-1251 ("Р°", "С‚"), or lost bytes.
MOJIBAKE = re.compile(
    "[ÃÂ][\u0080-\u00bf]|â€|[ÐÑ][\u0080-\u00bf]|[РС][ЂЃ‚ѓ„…†‡€‰Љ‹ЊЌЋЏђ‘’“”•–—™љ›њќћџЎўЈЅѕј]|\ufffd"
)
_HEADER = re.compile(r"^Header:\s*([A-Za-z-]+):\s*(.*?)\s*$", re.MULTILINE)


@dataclass
class Case:
    path: str  # relative to the corpora folder
    body: bytes
    content_type: str = "application/xml"
    headers: dict[str, str] = field(default_factory=dict)
    real: bool = False  # a captured real feed: must be readable
    index_title: str = ""


@dataclass
class Report:
    outcomes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)  # crashes, hangs, mojibake, wrong titles
    items: int = 0


def load_cases(corpora: Path = CORPORA) -> list[Case]:
    """The index's real and fixture feeds, then every feedparser-tests file."""
    cases: list[Case] = []
    lines = (corpora / INDEX).read_text(encoding="utf-8").split("\n")[1:]
    for row in (line.split("\t") for line in lines):
        if len(row) < 8 or not (corpora / row[0]).is_file():
            continue
        case = Case(row[0], (corpora / row[0]).read_bytes(), real=True, index_title=row[5])
        if row[2] == "gzip":
            case.headers["Content-Encoding"] = "gzip"
        cases.append(case)
    for file in sorted((corpora / "feedparser-tests").rglob("*")):
        if file.suffix in (".xml", ".json", ".rdf", ".atom", ".rss"):
            cases.append(_feedparser_case(file, corpora))
    return cases


def _feedparser_case(file: Path, corpora: Path) -> Case:
    body = file.read_bytes()
    case = Case(file.relative_to(corpora).as_posix(), body)
    head = body[:2000].decode("latin-1")
    for name, value in _HEADER.findall(head):
        if name.lower() == "content-type":
            case.content_type = value
        elif name.lower() not in ("content-length", "transfer-encoding", "content-encoding"):
            case.headers[name] = value
    return case


async def read_one(case: Case, url: str, fetcher: Fetcher, report: Report) -> None:
    try:
        async with asyncio.timeout(HANG_AFTER):
            got = await fetch_feed(fetcher, url, allow_private=True, discover=False)
    except TimeoutError:
        report.outcomes["HANG"] += 1
        report.problems.append(f"{case.path}: no answer after {HANG_AFTER:g} s")
        return
    except FeedLinksFound:
        report.outcomes["html page with feed link"] += 1
        return
    except (FeedError, FetchError) as e:
        report.outcomes[f"source error: {_kind(str(e))}"] += 1
        return
    except Exception as e:  # a crash is what this bench exists to find
        report.outcomes["CRASH"] += 1
        report.problems.append(f"{case.path}: {type(e).__name__}: {e}")
        return
    assert got.feed is not None
    _check(case, got.feed, url, report)


def _kind(message: str) -> str:
    message = re.sub(r"\(.*", "", message)
    return re.sub(r"https?://\S+", "URL", message).strip()[:60]


def _check(case: Case, feed: ParsedFeed, url: str, report: Report) -> None:
    now = datetime.now(UTC)
    source = Source(id=SourceId("conformance"), url=url)
    articles = [normalize_entry(e, source=source, feed=feed, base_url=url, now=now)
                for e in feed.entries]  # fmt: skip
    report.items += len(articles)
    report.outcomes["items" if articles else "feed without items"] += 1
    if not case.real:
        return
    text = " ".join([feed.title or ""] + [f"{a.title} {a.summary}" for a in articles])
    bad = MOJIBAKE.search(text)
    if bad:
        around = text[max(0, bad.start() - 20) : bad.end() + 20]
        report.problems.append(f"{case.path}: mojibake {around!r}")
    expected = one_line(html.unescape(html.unescape(case.index_title)))
    got = one_line(html.unescape(feed.title or ""))
    titles = {got} | {a.title for a in articles[:1]}
    if expected and expected not in titles and case.path.endswith((".html",)) is False:
        report.problems.append(f"{case.path}: title {got!r}, index says {expected!r}")


async def run(cases: list[Case], *, concurrency: int = 16) -> Report:
    """Serve `cases` on a local FeedServer and read each; the report counts outcomes."""
    report = Report()
    server = FeedServer()
    await server.start()
    try:
        for n, case in enumerate(cases):
            server.set_feed(f"/c/{n}", case.body, content_type=case.content_type,
                            headers=case.headers)  # fmt: skip
        gate = asyncio.Semaphore(concurrency)
        async with make_session(per_host=concurrency, total=concurrency) as session:
            fetcher = http_fetcher(session, FetchLimits(total_timeout=15))

            async def guarded(n: int, case: Case) -> None:
                async with gate:
                    await read_one(case, server.url(f"/c/{n}"), fetcher, report)

            await asyncio.gather(*(guarded(n, c) for n, c in enumerate(cases)))
    finally:
        await server.close()
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample", type=int, default=0, help="every Nth feedparser-test only")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    if not CORPORA.is_dir():
        raise SystemExit(f"no corpora at {CORPORA.resolve()}")
    cases = load_cases()
    if args.sample:
        cases = [c for i, c in enumerate(cases) if c.real or i % args.sample == 0]
    report = asyncio.run(run(cases))
    real = sum(c.real for c in cases)
    print(f"feeds served: {len(cases)} ({real} real/fixture captures), items read: {report.items}")
    for outcome, count in sorted(report.outcomes.items(), key=lambda kv: -kv[1]):
        print(f"  {count:5d}  {outcome}")
    print(f"problems (crash, hang, mojibake, wrong title): {len(report.problems)}")
    for line in report.problems[: None if args.verbose else 20]:
        print("   ", line)


if __name__ == "__main__":
    main()
