"""Poll N feeds x M items on the local feed server: a cold cycle, then an all-304 cycle.

    .venv/bin/python bench/poll.py [--feeds 1000] [--items 20] [--per-host 100] [--full-parse]

The feed server runs in its own process, so the figures measure the client. By default each
source goes through Warta's real `update_source()`: conditional fetch, parse (the fast id scan on a
first fetch with backfill 0), normalize, seen-keys committed to SQLite, validators and schedule
stored, with the shipped rules loaded, at most `--concurrency` updates at once as in `warta run`.
`--bare` measures fetch + parse + normalize with a dict standing in for storage (and
`--full-parse` uses feedparser there). Prints both cycle times and the client's peak RSS.
Targets: cold <= 7 s, 304 cycle <= 1.5 s, peak RSS <= 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.analyze.dedup import seen_keys  # noqa: E402
from bot.ingest.fetch import FetchLimits, fetch, make_session  # noqa: E402
from bot.ingest.normalize import normalize_entry  # noqa: E402
from bot.ingest.parse import parse_feed, scan_ids  # noqa: E402
from bot.model import ParsedFeed, Source, SourceId  # noqa: E402

Validators = dict[str, tuple[str | None, str | None]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(feeds: int, items: int) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.servers.feeds", "--port", str(port),
         "--generate", f"{feeds}x{items}"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()  # the server prints one line once it listens
    if "feed server on" not in line:
        proc.kill()
        raise SystemExit(f"feed server did not start: {line!r}")
    return proc, f"http://127.0.0.1:{port}"


def record(body: bytes, source: Source, url: str, full: bool, seen: dict[str, set[str]]) -> int:
    """Parse (scan or full), normalize, and record seen-keys; runs off the event loop."""
    now = datetime.now(UTC)
    entries = None if full else scan_ids(body, url=url)
    feed = ParsedFeed(title=None, link=None, language=None, entries=())
    if entries is None:
        feed = parse_feed(body, url=url)
        entries = list(feed.entries)
    keys = seen.setdefault(source.id, set())
    for raw in entries:
        article = normalize_entry(raw, source=source, feed=feed, base_url=url, now=now)
        keys.update(seen_keys(article))
    return len(entries)


async def cycle(
    session: aiohttp.ClientSession,
    sources: list[Source],
    validators: Validators,
    seen: dict[str, set[str]],
    full: bool,
) -> tuple[int, int, int]:
    limits = FetchLimits()

    async def one(source: Source) -> tuple[int, int]:
        etag, modified = validators.get(source.id, (None, None))
        result = await fetch(
            session, source.url, etag=etag, last_modified=modified, allow_private=True,
            limits=limits,
        )  # fmt: skip
        validators[source.id] = (result.etag, result.last_modified)
        if result.not_modified:
            return 1, 0
        n = await asyncio.to_thread(record, result.body, source, result.final_url, full, seen)
        return 0, n

    results = await asyncio.gather(*(one(s) for s in sources))
    return len(results), sum(r[0] for r in results), sum(r[1] for r in results)


async def run(args: argparse.Namespace, base: str) -> None:
    sources = [
        Source(id=SourceId(f"feed-{n}"), url=f"{base}/feed/{n}.xml") for n in range(args.feeds)
    ]
    validators: Validators = {}
    seen: dict[str, set[str]] = {}
    async with make_session(per_host=args.per_host, total=args.per_host) as session:
        for name in ("cold", "304"):
            start = time.perf_counter()
            fetched, not_modified, items = await cycle(
                session, sources, validators, seen, args.full_parse
            )
            took = time.perf_counter() - start
            print(
                f"{name:>5} cycle: {took:6.2f} s  feeds={fetched} 304s={not_modified} items={items}"
            )
    keys = sum(len(v) for v in seen.values())
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"seen keys recorded: {keys}")
    print(f"peak RSS (client process): {rss_mb:.0f} MB")


async def run_pipeline(args: argparse.Namespace, base: str) -> None:
    """Both cycles through update_source() with real SQLite and the shipped rules."""
    import tempfile

    from bot.config import PollingConfig
    from bot.ingest.intake import http_fetcher
    from bot.pipeline import Pipeline, update_source
    from bot.rulebook import Rulebook
    from bot.store import sources as source_store
    from bot.store.db import open_db
    from bot.store.sources import SourceState

    with tempfile.TemporaryDirectory() as tmp:
        conn = open_db(Path(tmp) / "poll.db")
        for n in range(args.feeds):
            source = Source(
                id=SourceId(f"feed-{n}"), url=f"{base}/feed/{n}.xml", allow_private=True
            )
            source_store.upsert(conn, source, now=0.0)
        rulebook = Rulebook([ROOT / "rules"], conn)
        limits = FetchLimits()
        async with make_session(per_host=args.per_host, total=args.per_host) as session:
            pipeline = Pipeline(
                conn=conn, fetch=http_fetcher(session, limits), rules=rulebook.current,
                translator=None,
                polling=PollingConfig(), default_language="en",
            )  # fmt: skip
            limit = asyncio.Semaphore(args.concurrency)

            async def one(state: SourceState) -> str:
                async with limit:
                    result = await update_source(state, pipeline)
                return result.outcome

            for name in ("cold", "304"):
                states = source_store.all_sources(conn)
                start = time.perf_counter()
                outcomes = await asyncio.gather(*(one(s) for s in states))
                took = time.perf_counter() - start
                counts = {o: outcomes.count(o) for o in sorted(set(outcomes))}
                print(f"{name:>5} cycle: {took:6.2f} s  {counts}")
        seen = conn.execute("SELECT COUNT(*) FROM seen").fetchone()[0]
        conn.close()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"seen keys in SQLite: {seen}")
    print(f"peak RSS (client process, rules loaded): {rss_mb:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--items", type=int, default=20)
    ap.add_argument("--per-host", type=int, default=100, help="all feeds share one local host")
    ap.add_argument("--full-parse", action="store_true", help="feedparser on the cold cycle")
    ap.add_argument("--bare", action="store_true", help="fetch+parse only, no pipeline/storage")
    ap.add_argument("--concurrency", type=int, default=50, help="updates at once (pipeline)")
    args = ap.parse_args()
    proc, base = start_server(args.feeds, args.items)
    try:
        asyncio.run(run(args, base) if args.bare else run_pipeline(args, base))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
