"""A throwaway PostgreSQL for the storage tests: `$WARTA_TEST_DATABASE_URL` when it is set, else
one server started from the `pgserver` wheel (PostgreSQL 16, bundled) for the whole session.

Fixtures:
- `postgres_url`: the server's URL (session-scoped).
- `database`: where a test's Store lives, once per backend: a SQLite file in `tmp_path`, then a
  fresh PostgreSQL schema of its own (dropped after the test), as a URL `open_db` takes.
"""

from __future__ import annotations

import logging
import os
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("WARTA_TEST_DATABASE_URL")
    if given:
        yield given
        return
    with warnings.catch_warnings():  # platformdirs warns that XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        import pgserver  # type: ignore[import-untyped]

        logging.getLogger("pgserver").propagate = False  # it logs at exit, after capture closed
        server = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="stop")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()


def schema_url(url: str, schema: str) -> str:
    """`url` with every table of the session in `schema` (PostgreSQL's search_path)."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture
def fresh_postgres(postgres_url: str) -> Iterator[str]:
    """A URL to an empty schema of this test's own on the session's server."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")  # type: ignore[arg-type]
        try:
            yield schema_url(postgres_url, schema)
        finally:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    if request.param == "sqlite":
        return tmp_path / "w.db"
    return str(request.getfixturevalue("fresh_postgres"))
