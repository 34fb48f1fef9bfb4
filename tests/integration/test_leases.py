"""Polling leases: replicas on one PostgreSQL share the due sources, each fetched by one."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import psycopg

from bot.model import Source, SourceId
from bot.store import sources
from bot.store.db import open_db

ROOT = Path(__file__).resolve().parents[2]
GATE = 4141  # an advisory lock the test holds until both replicas are ready to claim

# One replica's poller, reduced to its claims: wait at the gate, then lease due sources in
# small batches until none is left; print what it got. It never records a fetch: with
# --die it has crashed holding its leases.
REPLICA = """
import json, sys
import psycopg
from bot.store import sources
from bot.store.db import open_db
url, owner, now, lease = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
store = open_db(url)
with psycopg.connect(url, autocommit=True) as gate:
    gate.execute("SELECT pg_advisory_lock_shared(%s)", (int(sys.argv[5]),))
got = []
while batch := sources.claim_due(store, owner=owner, now=now, lease=lease, limit=2):
    got += [s.source.id for s in batch]
print(json.dumps(got))
"""


async def replicas(url: str, now: float, lease: float, *owners: str) -> dict[str, list[str]]:
    """Start one process per owner, let them claim at the same moment, return their claims."""
    with psycopg.connect(url, autocommit=True) as gate:
        gate.execute("SELECT pg_advisory_lock(%s)", (GATE,))
        procs = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                REPLICA,
                url,
                owner,
                str(now),
                str(lease),
                str(GATE),
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
            )
            for owner in owners
        ]
        waiting = 0
        while waiting < len(owners):  # every replica is at the gate
            row = gate.execute(
                "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ).fetchone()
            waiting = int(row[0]) if row else 0
            await asyncio.sleep(0.02)
        gate.execute("SELECT pg_advisory_unlock(%s)", (GATE,))
        outputs = [await p.communicate() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    return {o: json.loads(out) for o, (out, _) in zip(owners, outputs, strict=True)}


def add_sources(url: str, n: int) -> list[str]:
    store = open_db(url)
    ids = [f"s{i:02d}" for i in range(n)]
    for sid in ids:
        sources.upsert(store, Source(id=SourceId(sid), url=f"https://{sid}.example/rss",
                                     interval=300.0), now=0.0)  # fmt: skip
    store.close()
    return ids


async def test_two_replicas_fetch_each_due_source_once(fresh_postgres: str) -> None:
    """Two processes claiming at the same moment get every due source between them and none
    twice; within its interval neither gets it again."""
    ids = add_sources(fresh_postgres, 40)
    got = await replicas(fresh_postgres, 1000.0, 60.0, "a", "b")
    assert sorted(got["a"] + got["b"]) == ids
    assert not set(got["a"]) & set(got["b"])
    again = await replicas(fresh_postgres, 1200.0, 60.0, "a", "b")  # leases over, interval not
    assert again == {"a": [], "b": []}


async def test_a_dead_replicas_sources_are_taken_over_after_its_lease(fresh_postgres: str) -> None:
    """A replica that died holding leases (longer than the interval) keeps its sources from the
    others while the lease lasts, not once it has run out."""
    ids = add_sources(fresh_postgres, 6)
    assert (await replicas(fresh_postgres, 1000.0, 600.0, "dead"))["dead"] == ids
    assert await replicas(fresh_postgres, 1350.0, 600.0, "alive") == {"alive": []}  # due, leased
    assert (await replicas(fresh_postgres, 1650.0, 600.0, "alive"))["alive"] == ids


def test_a_recorded_fetch_ends_the_lease_and_sqlite_frees_a_killed_runs_leases(
    database: str | Path,
) -> None:
    """On either backend: a fetch recorded (ok or failed) frees its source for the next due
    time; the only replica on SQLite, restarted after a kill, frees the leases it left."""
    store = open_db(database)
    for sid in ("ok", "failed", "killed"):
        sources.upsert(store, Source(id=SourceId(sid), url=f"https://{sid}.example/rss",
                                     interval=300.0), now=0.0)  # fmt: skip
    assert len(sources.claim_due(store, owner="r", now=10.0, lease=3600.0)) == 3
    sources.record_ok(store, "ok", now=20.0, next_at=310.0, etag=None, last_modified=None, items=0)
    sources.record_error(store, "failed", now=20.0, next_at=310.0, error="timeout")
    due = {s.source.id for s in sources.claim_due(store, owner="r", now=311.0)}
    assert due == {"ok", "failed"}  # "killed" was due too, but is still leased
    freed = sources.release_leases(store)
    if store.backend == "sqlite":
        assert freed == 3
        store.execute("UPDATE sources SET next_fetch_at = 0")
        assert len(sources.claim_due(store, owner="r", now=312.0)) == 3
    else:
        assert freed == 0  # the other replicas' leases are theirs until they run out
    store.close()
