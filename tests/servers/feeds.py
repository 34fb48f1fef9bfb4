"""A local feed server for tests, benches and the container check.

`FeedServer` serves, per path, a fixed body (`set_feed`) or an RSS 2.0 feed that grows while it
runs (`add_item`), with ETag/Last-Modified and 304 answers to conditional requests, and fault
modes: `set_status` (429 with Retry-After, 500, ...), `set_slow`, `set_oversized`,
`set_gzip_bomb`, `set_redirect` (permanent or not), `set_redirect_loop`, `set_html` (with or
without a feed link), `set_empty`, `set_wrong_charset`. `requests[path]` logs the headers of
every request. The `feed_server` fixture yields a started server.

Stand-alone: `python -m tests.servers.feeds --port N --dir DIR` serves DIR's files (read once)
at their relative paths; `--generate FEEDSxITEMS` serves synthetic feeds at /feed/<n>.xml.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

_EPOCH = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@dataclass
class _Item:
    title: str
    link: str
    guid: str
    description: str
    published: datetime | None
    lang: str | None


@dataclass
class _Path:
    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    version: int = 0  # bumps on every change: drives ETag and Last-Modified
    conditional: bool = True
    items: list[_Item] | None = None
    channel_lang: str | None = None
    fault: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def etag(self) -> str:
        return '"' + hashlib.blake2b(self.body, digest_size=8).hexdigest() + '"'

    @property
    def last_modified(self) -> str:
        return format_datetime(_EPOCH + timedelta(minutes=self.version), usegmt=True)


def rss_document(title: str, items: list[_Item], *, lang: str | None = None) -> bytes:
    """An RSS 2.0 document with the newest item first."""
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>']
    parts.append(f"<title>{escape(title)}</title><link>http://example.com/</link>")
    if lang:
        parts.append(f"<language>{escape(lang)}</language>")
    for it in reversed(items):
        date = f"<pubDate>{format_datetime(it.published)}</pubDate>" if it.published else ""
        parts.append(
            f"<item><title>{escape(it.title)}</title><link>{escape(it.link)}</link>"
            f'<guid isPermaLink="false">{escape(it.guid)}</guid>'
            f"<description>{escape(it.description)}</description>{date}</item>"
        )
    parts.append("</channel></rss>\n")
    return "".join(parts).encode("utf-8")


class FeedServer:
    """An aiohttp feed server on 127.0.0.1 with a random port (or the given one)."""

    def __init__(self, port: int = 0) -> None:
        self._port = port
        self.paths: dict[str, _Path] = {}
        self.requests: dict[str, list[dict[str, str]]] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def count(self, path: str) -> int:
        """How many requests reached `path`."""
        return len(self.requests.get(path, []))

    # -- content -------------------------------------------------------------------------
    def set_feed(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = "application/rss+xml; charset=utf-8",
        headers: dict[str, str] | None = None,
        conditional: bool = True,
    ) -> None:
        """Serve `body` at `path` (with ETag/Last-Modified unless `conditional` is False)."""
        old = self.paths.get(path)
        self.paths[path] = _Path(
            body=body,
            content_type=content_type,
            headers=dict(headers or {}),
            version=(old.version + 1) if old else 0,
            conditional=conditional,
        )

    def add_item(
        self,
        path: str,
        title: str,
        link: str,
        *,
        guid: str | None = None,
        description: str = "",
        published: datetime | None = None,
        lang: str | None = None,
        feed_title: str = "Test feed",
    ) -> None:
        """Add an item to the RSS 2.0 feed at `path` (created on first use); the ETag changes."""
        entry = self.paths.get(path)
        if entry is None or entry.items is None:
            entry = _Path(items=[], channel_lang=lang)
            self.paths[path] = entry
        assert entry.items is not None
        entry.items.append(_Item(title, link, guid or link, description, published, lang))
        entry.version += 1
        entry.body = rss_document(feed_title, entry.items, lang=entry.channel_lang)
        entry.fault = None

    def _fault(self, path: str, fault: str, **params: Any) -> None:
        entry = self.paths.setdefault(path, _Path())
        entry.fault, entry.params = fault, params

    def clear_fault(self, path: str) -> None:
        """Serve the path's content normally again."""
        if path in self.paths:
            self.paths[path].fault = None

    def set_status(self, path: str, status: int, *, retry_after: str | None = None) -> None:
        """Answer `status` (with a Retry-After header when given)."""
        self._fault(path, "status", status=status, retry_after=retry_after)

    def set_slow(self, path: str, body: bytes, *, delay: float) -> None:
        """Send half the body, then wait `delay` seconds before the rest."""
        self._fault(path, "slow", body=body, delay=delay)

    def set_oversized(self, path: str, size: int, *, chunked: bool = False) -> None:
        """A body of `size` bytes (chunked: without a Content-Length)."""
        self._fault(path, "oversized", size=size, chunked=chunked)

    def set_gzip_bomb(self, path: str, size: int) -> None:
        """A small gzip body that decompresses to `size` bytes."""
        self._fault(path, "bomb", data=_gzip_zeros(size))

    def set_redirect(self, path: str, target: str, *, status: int = 301) -> None:
        self._fault(path, "redirect", target=target, status=status)

    def set_redirect_loop(self, path: str) -> None:
        """`path` -> `path`/loop -> `path` -> ..."""
        self._fault(path, "redirect", target=path + "/loop", status=302)
        self._fault(path + "/loop", "redirect", target=path, status=302)

    def set_html(self, path: str, *, feed_link: str | None) -> None:
        """An HTML page, announcing `feed_link` with <link rel=alternate> when given."""
        link = (
            f'<link rel="alternate" type="application/rss+xml" href="{escape(feed_link)}">'
            if feed_link
            else ""
        )
        page = f"<!DOCTYPE html><html><head><title>Home</title>{link}</head><body>Hi</body></html>"
        self.set_feed(path, page.encode(), content_type="text/html; charset=utf-8")

    def set_empty(self, path: str) -> None:
        self.set_feed(path, b"", content_type="application/rss+xml")

    def set_wrong_charset(self, path: str, body_text: str, *, encoding: str, label: str) -> None:
        """`body_text` encoded as `encoding` but labelled `label` in the Content-Type."""
        self.set_feed(
            path, body_text.encode(encoding), content_type=f"application/rss+xml; charset={label}"
        )

    # -- serving -------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.requests.setdefault(path, []).append(dict(request.headers))
        entry = self.paths.get(path)
        if entry is None:
            return web.Response(status=404, text="not found")
        if entry.fault is not None:
            return await self._handle_fault(request, entry)
        return self._serve(request, entry)

    def _serve(self, request: web.Request, entry: _Path) -> web.Response:
        headers = dict(entry.headers)
        if entry.conditional:
            headers["ETag"] = entry.etag
            headers["Last-Modified"] = entry.last_modified
            inm = request.headers.get("If-None-Match")
            ims = request.headers.get("If-Modified-Since")
            if (inm is not None and inm == entry.etag) or (
                inm is None and ims is not None and ims == entry.last_modified
            ):
                return web.Response(status=304, headers=headers)
        headers["Content-Type"] = entry.content_type
        return web.Response(body=entry.body, headers=headers)

    async def _handle_fault(self, request: web.Request, entry: _Path) -> web.StreamResponse:
        p = entry.params
        if entry.fault == "status":
            extra = {"Retry-After": p["retry_after"]} if p["retry_after"] else {}
            return web.Response(status=p["status"], text="error", headers=extra)
        if entry.fault == "redirect":
            return web.Response(status=p["status"], headers={"Location": p["target"]})
        if entry.fault == "bomb":
            headers = {"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"}
            return web.Response(body=p["data"], headers=headers)
        if entry.fault == "oversized":
            return await self._stream(request, b"<rss>" + b" " * p["size"], p["chunked"], 0.0)
        return await self._stream(request, p["body"], False, p["delay"])

    async def _stream(
        self, request: web.Request, body: bytes, chunked: bool, delay: float
    ) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        if not chunked:
            resp.content_length = len(body)
        await resp.prepare(request)
        half = len(body) // 2 if delay else len(body)
        for start in range(0, half, 65536):
            await resp.write(body[start : min(half, start + 65536)])
        if delay:
            await asyncio.sleep(delay)  # the slow server being simulated, not a test waiting
            await resp.write(body[half:])
        await resp.write_eof()
        return resp


def _gzip_zeros(size: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * (1 << 20)
    out = [compressor.compress(block) for _ in range(size // len(block))]
    out.append(compressor.compress(b"\0" * (size % len(block))))
    out.append(compressor.flush())
    return b"".join(out)


def generate(server: FeedServer, feeds: int, items: int) -> None:
    """Synthetic feeds /feed/<n>.xml with `items` items each (for benches)."""
    for n in range(feeds):
        its = [
            _Item(
                f"Story {i} of feed {n}: officials announce measures",
                f"http://news{n}.example/{i}",
                f"feed{n}-item{i}",
                f"<p>Body of story {i}.</p>",
                _EPOCH - timedelta(hours=i),
                None,
            )
            for i in range(items)
        ]
        server.set_feed(f"/feed/{n}.xml", rss_document(f"Feed {n}", its))


def load_dir(server: FeedServer, root: Path) -> int:
    """Serve every file under `root` at its relative path; returns how many."""
    count = 0
    for file in sorted(root.rglob("*")):
        if file.is_file():
            ctype = "application/json" if file.suffix == ".json" else "application/xml"
            server.set_feed(
                "/" + file.relative_to(root).as_posix(), file.read_bytes(), content_type=ctype
            )
            count += 1
    return count


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    """A started FeedServer on 127.0.0.1, closed after the test."""
    server = FeedServer()
    await server.start()
    try:
        yield server
    finally:
        await server.close()


async def _serve_forever(args: argparse.Namespace) -> None:
    server = FeedServer(args.port)
    if args.dir:
        load_dir(server, Path(args.dir))
    if args.generate:
        feeds, _, items = args.generate.partition("x")
        generate(server, int(feeds), int(items or 20))
    await server.start()
    print(f"feed server on {server.url('/')}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=8081)
    ap.add_argument("--dir", help="serve the files under this folder")
    ap.add_argument("--generate", help="FEEDSxITEMS synthetic feeds at /feed/<n>.xml")
    args = ap.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(args))


if __name__ == "__main__":
    main()
