"""Bench: 500 matched articles in 6 languages to 1,000 chats in 5 target languages.

The local translation server runs in a separate process with 50 ms latency per call; the client is a
TranslationService with the libre provider (one batched request per article and target) and an
in-memory SQLite cache. Articles are handled the way the pipeline would: concurrently, and per
article one translate_story per distinct target among its chats. Prints figures, asserts nothing.

    .venv/bin/python -m bench.translate [--articles 500] [--chats 1000] [--pool 4] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime

import aiohttp

from bot.deliver.translate import ProviderConfig, TranslationService
from bot.model import Article, KeyLine, RuleId, RuleRef, SourceId, Story
from bot.store.db import open_db
from bot.store.translations import StoredTranslationCache

ARTICLE_LANGUAGES = ["id", "ko", "ru", "en", "de", "ja"]
CHAT_LANGUAGES = ["en", "id", "ko", "de", "zh-TW"]
RULES = 10


def make_story(i: int, rng: random.Random) -> tuple[Story, int]:
    language = ARTICLE_LANGUAGES[i % len(ARTICLE_LANGUAGES)]
    article = Article(
        source_id=SourceId(f"source-{i % 20}"),
        source_name=f"Source {i % 20}",
        guid=f"guid-{i}",
        url=f"https://example.org/{i}",
        link=f"https://example.org/{i}",
        title=f"Headline {i} about North Korea and Russia",
        published=datetime(2024, 11, 1, tzinfo=UTC),
    )
    lines = tuple(KeyLine(text=f"Key line {k} of article {i}.") for k in range(rng.randint(1, 3)))
    rule = rng.randrange(RULES)
    ref = RuleRef(id=RuleId(f"rule-{rule}"), name=f"Rule {rule}")
    return Story(article=article, language=language, rules=(ref,), key_lines=lines), rule


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_listening(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise RuntimeError("translate server did not start")


async def run(args: argparse.Namespace, port: int) -> None:
    rng = random.Random(7)
    stories = [make_story(i, rng) for i in range(args.articles)]
    # each chat: a language and 3 of the 10 rules
    chats = [(CHAT_LANGUAGES[c % 5], set(rng.sample(range(RULES), 3))) for c in range(args.chats)]
    targets_by_rule = {r: {lang for lang, rules in chats if r in rules} for r in range(RULES)}
    pairs = sum(sum(1 for _, rules in chats if rule in rules) for _, rule in stories)
    expected = sum(
        len({t for t in targets_by_rule[rule] if t != s.language}) for s, rule in stories
    )

    conn = open_db(":memory:")
    cache = StoredTranslationCache(conn)
    service = TranslationService(
        [ProviderConfig("libre", url=f"http://127.0.0.1:{port}/")],
        cache=cache,
        pool_size=args.pool,
        timeout=10.0,
    )
    try:
        await wait_listening(port)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            await service.start(session)

            async def deliver(story: Story, rule: int) -> int:
                results = await asyncio.gather(
                    *(service.translate_story(story, t) for t in targets_by_rule[rule])
                )
                return sum(r.failed for r in results)

            started = time.perf_counter()
            failed = sum(await asyncio.gather(*(deliver(s, r) for s, r in stories)))
            elapsed = time.perf_counter() - started
            first = (service.requests, service.cache_hits, service.cache_misses)
            again = time.perf_counter()
            await asyncio.gather(*(deliver(s, r) for s, r in stories))
            elapsed_again = time.perf_counter() - again
    finally:
        await service.close()
        conn.close()
    report(args, pairs, expected, failed, elapsed, first, service, elapsed_again)


def report(
    args: argparse.Namespace,
    pairs: int,
    expected: int,
    failed: int,
    elapsed: float,
    first: tuple[int, int, int],
    service: TranslationService,
    elapsed_again: float,
) -> None:
    requests, hits, misses = first
    ideal = expected * args.latency / args.pool
    print(f"articles {args.articles}, chats {args.chats}, (article, chat) pairs {pairs}")
    print(
        f"translations requested: {requests} (distinct non-matching (article, target): {expected})"
    )
    print(f"failed translations: {failed}")
    print(f"cache: {hits} hits / {misses} misses = {hits / max(hits + misses, 1):.1%} hit rate")
    print(f"time until all alerts enqueued: {elapsed:.2f} s")
    print(
        f"target: <= 1.2 x {expected} x {args.latency * 1000:.0f} ms / {args.pool}"
        f" = {1.2 * ideal:.2f} s (ratio to ideal {elapsed / ideal:.2f})"
    )
    total = service.cache_hits + service.cache_misses
    print(
        f"second pass (same articles again): {service.requests - requests} requests,"
        f" {(service.cache_hits - hits) / max(total - hits - misses, 1):.1%} hit rate,"
        f" {elapsed_again:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--pool", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    port = free_port()
    argv = [sys.executable, "-m", "tests.servers.translate", "--port", str(port)]
    server = subprocess.Popen(
        [*argv, "--latency", str(args.latency), "--char-limit", "-1"],
        stdout=subprocess.DEVNULL,
    )
    try:
        asyncio.run(run(args, port))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
