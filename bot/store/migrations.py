"""Versioned schema migrations, one list for every backend (each tracks the version it reached).

Append a new script to MIGRATIONS to change the schema; never edit one that has shipped.
"""

from __future__ import annotations

from bot.errors import StorageError
from bot.store.db import Store

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE sources (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        name TEXT,
        origin TEXT NOT NULL DEFAULT 'config',
        interval REAL NOT NULL DEFAULT 300,
        language TEXT,
        backfill INTEGER NOT NULL DEFAULT 0,
        allow_private INTEGER NOT NULL DEFAULT 0,
        full_text INTEGER NOT NULL DEFAULT 0,
        enabled INTEGER NOT NULL DEFAULT 1,
        disabled_reason TEXT,
        etag TEXT,
        last_modified TEXT,
        feed_title TEXT,
        initialized INTEGER NOT NULL DEFAULT 0,
        next_fetch_at REAL NOT NULL DEFAULT 0,
        last_fetch_at REAL,
        last_ok_at REAL,
        last_error TEXT,
        error_count INTEGER NOT NULL DEFAULT 0,
        items_total INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
    );
    CREATE TABLE seen (
        source_id TEXT NOT NULL,
        key TEXT NOT NULL,
        seen_at REAL NOT NULL,
        PRIMARY KEY (source_id, key)
    ) WITHOUT ROWID;
    CREATE INDEX seen_at ON seen(seen_at);
    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        simhash INTEGER NOT NULL,
        title TEXT NOT NULL,
        first_seen REAL NOT NULL,
        sources TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX stories_first_seen ON stories(first_seen);
    CREATE INDEX stories_url ON stories(url);
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        source_id TEXT NOT NULL,
        story_id TEXT NOT NULL,
        url TEXT NOT NULL,
        title TEXT NOT NULL,
        language TEXT,
        published REAL NOT NULL,
        rules TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX articles_created ON articles(created_at);
    CREATE TABLE chats (
        id INTEGER PRIMARY KEY,
        type TEXT NOT NULL DEFAULT 'private',
        title TEXT,
        language TEXT,
        timezone TEXT NOT NULL DEFAULT 'UTC',
        muted_until REAL,
        blocked INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE subscriptions (
        chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        target TEXT NOT NULL,
        thread_id INTEGER,
        created_at REAL NOT NULL,
        PRIMARY KEY (chat_id, target)
    );
    CREATE TABLE watches (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        expr TEXT NOT NULL,
        thread_id INTEGER,
        created_at REAL NOT NULL
    );
    CREATE INDEX watches_chat ON watches(chat_id);
    CREATE TABLE deliveries (
        story_id TEXT NOT NULL,
        chat_id INTEGER NOT NULL,
        outbox_id INTEGER,
        created_at REAL NOT NULL,
        PRIMARY KEY (story_id, chat_id)
    ) WITHOUT ROWID;
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        thread_id INTEGER,
        kind TEXT NOT NULL DEFAULT 'alert',
        priority INTEGER NOT NULL DEFAULT 1,
        story_id TEXT,
        text TEXT NOT NULL,
        plain_text TEXT,
        parse_mode TEXT,
        button_url TEXT,
        button_text TEXT,
        disable_preview INTEGER NOT NULL DEFAULT 1,
        status TEXT NOT NULL DEFAULT 'queued',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL,
        created_at REAL NOT NULL,
        sent_at REAL,
        message_id INTEGER,
        last_error TEXT
    );
    CREATE INDEX outbox_due ON outbox(status, next_attempt_at, priority);
    CREATE INDEX outbox_chat ON outbox(chat_id, status);
    CREATE TABLE translation_cache (
        key TEXT PRIMARY KEY,
        source_lang TEXT,
        target_lang TEXT NOT NULL,
        translated TEXT NOT NULL,
        created_at REAL NOT NULL,
        used_at REAL NOT NULL
    );
    CREATE INDEX translation_cache_used ON translation_cache(used_at);
    CREATE TABLE notices (
        incident TEXT PRIMARY KEY,
        notified_at REAL NOT NULL
    );
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 2: an outbox row may edit a message sent before (a later outlet named in an alert)
    """
    ALTER TABLE outbox ADD COLUMN edit_of INTEGER
    """,
    # 3: each chat's queue head found through one index, however long the backlog
    """
    DROP INDEX outbox_chat;
    CREATE INDEX outbox_chat_due ON outbox(status, chat_id, priority, next_attempt_at, id)
    """,
    # 4: an alert keeps what it was rendered from, so a later outlet can be named in it after a
    # restart too; a story's alerts are found through its id
    """
    ALTER TABLE outbox ADD COLUMN rendered_from TEXT;
    CREATE INDEX outbox_story ON outbox(story_id) WHERE story_id IS NOT NULL
    """,
    # 5: an article keeps the entities it names, so a retelling's search skips the stories that
    # name other things without reading their alerts (NULL: recorded before, unknown)
    """
    ALTER TABLE articles ADD COLUMN entities TEXT
    """,
    # 6: a due source is leased to one replica until it records the fetch or the lease runs out
    """
    ALTER TABLE sources ADD COLUMN lease_owner TEXT;
    ALTER TABLE sources ADD COLUMN lease_until REAL
    """,
)


def migrate(store: Store) -> int:
    """Apply every migration newer than the database, each in its own transaction; return the
    resulting version. A database from a newer Warta is refused and left as it is."""
    while True:
        with store.transaction():
            version = store.schema_version()
            if version > len(MIGRATIONS):
                raise StorageError(
                    f"{store.describe()}: database schema version {version} is newer than this"
                    f" Warta ({len(MIGRATIONS)}); upgrade Warta or restore a backup"
                )
            if version == len(MIGRATIONS):
                return version
            store.apply_migration(version + 1, MIGRATIONS[version])
