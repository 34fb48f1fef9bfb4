"""/healthz: 200 while the worker loop turns, 503 once it is stuck, with readiness details."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from aiohttp.test_utils import TestClient, TestServer

from bot.app import HEARTBEAT_STALE, App
from bot.config import parse_config
from bot.store.db import open_db
from bot.web import make_web_app


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_healthz_turns_503_when_the_poller_stops_turning(tmp_path: Path) -> None:
    """A fresh beat answers 200 with storage and outbox details; a stale one answers 503."""
    clock = Clock()
    app = App(parse_config("{}", file="c.yaml", base=None, env={}), clock=clock)
    app.conn = open_db(tmp_path / "w.db")
    app.translator = SimpleNamespace(provider_states=lambda: {"libre": "closed"})  # type: ignore[assignment]
    app.relay = SimpleNamespace(paused=False)  # type: ignore[assignment]
    app.heartbeat["poller"] = clock.now
    async with TestClient(TestServer(make_web_app(app.health))) as client:
        ok = await client.get("/healthz")
        body = await ok.json()
        assert ok.status == 200
        assert body["storage"] == "ok"
        assert body["outbox_depth"] == 0
        assert body["translation"] == {"libre": "closed"}
        clock.now += HEARTBEAT_STALE + 1
        stuck = await client.get("/healthz")
        assert stuck.status == 503
        assert (await stuck.json())["status"] == "stuck"
        metrics = await client.get("/metrics")
        assert "warta_outbox_depth" in await metrics.text()
    app.conn.close()
