"""GET /healthz and GET /metrics on http.listen."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.metrics import REGISTRY


def make_web_app(health: Callable[[], tuple[bool, dict[str, Any]]]) -> web.Application:
    """`health()` returns (alive, details); /healthz answers 200 when alive, else 503."""

    async def healthz(_: web.Request) -> web.Response:
        alive, details = health()
        body = json.dumps({"status": "ok" if alive else "stuck", **details}, default=str)
        return web.Response(
            status=200 if alive else 503, text=body, content_type="application/json"
        )

    async def metrics(_: web.Request) -> web.Response:
        return web.Response(
            body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


async def start_web(app: web.Application, listen: str) -> web.AppRunner:
    host, _, port = listen.rpartition(":")
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host.strip("[]") or "0.0.0.0", int(port))
    await site.start()
    return runner
