"""Load and validate the configuration once, with every problem reported by file, line and key path.

The YAML is composed into nodes and read by `bot.yamlread.Reader` (every value keeps its line and
column; `${VAR}` and `${VAR:-default}` come from the environment); the tree is checked here.
All problems are collected before raising `ConfigError`; nothing stops at the first.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ConfigError, Problem
from bot.model import Source, SourceId
from bot.yamlread import Reader, compose

SOURCE_ID_RE = re.compile(r"^[a-z0-9-]+$")
PROVIDERS = ("libre", "google", "deepl", "microsoft", "mymemory")


@dataclass(frozen=True, slots=True, kw_only=True)
class TelegramConfig:
    token: str | None
    token_variable: str | None  # the environment variable the token comes from, for messages
    api_base_url: str = "https://api.telegram.org"
    admins: tuple[int, ...] = ()
    link_preview: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderSpec:
    type: str
    url: str | None = None
    api_key: str | None = None
    region: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TranslationConfig:
    default_language: str = "en"
    timeout: float = 10.0
    pool_size: int = 4
    providers: tuple[ProviderSpec, ...] = (ProviderSpec(type="google"),)


@dataclass(frozen=True, slots=True, kw_only=True)
class PollingConfig:
    max_age: float = 3 * 86400.0  # items older than this are never alerted
    dedup_window: float = 48 * 3600.0  # one story across sources within this window
    retention: float = 90 * 86400.0  # seen records are kept this long
    max_failures: int = 10  # a source is disabled after this many failures in a row
    concurrency: int = 50
    per_host: int = 2
    max_bytes: int = 5_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryConfig:
    backlog_alert: int = 1000  # admins are told when the outbox holds more than this
    max_attempts: int = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    path: Path | None  # the config file, when read from one
    telegram: TelegramConfig
    storage_path: Path
    sources: tuple[Source, ...]
    rules_paths: tuple[Path, ...]
    translation: TranslationConfig
    http_listen: str = "127.0.0.1:8080"
    polling: PollingConfig = field(default_factory=PollingConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    log_format: str = "auto"
    storage_url: str | None = None  # storage.url: PostgreSQL instead of the SQLite file

    @property
    def storage(self) -> Path | str:
        """What `bot.store.db.open_db` opens: the PostgreSQL URL, else the SQLite file."""
        return self.storage_url or self.storage_path

    @property
    def storage_exists(self) -> bool:
        """False for a SQLite file not created yet (a server database is taken to exist)."""
        return self.storage_url is not None or self.storage_path.exists()

    log_level: str = "INFO"


# --- reading nodes ---------------------------------------------------------------------------


def _check_url(value: str) -> str | None:
    if not re.match(r"^https?://[^\s/]+", value):
        return f"expected an http(s) URL, got {value!r}"
    return None


def _check_lang(value: str) -> str | None:
    if not re.match(r"^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})?$", value):
        return f"expected a language code such as en, id, zh-TW, got {value!r}"
    return None


def _check_listen(value: str) -> str | None:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) < 65536:
        return f"expected HOST:PORT, got {value!r}"
    return None


# --- sections --------------------------------------------------------------------------------

_TOP = {
    "telegram",
    "storage",
    "sources",
    "rules",
    "translation",
    "http",
    "polling",
    "delivery",
    "log",
}
_SOURCE_KEYS = {
    "id",
    "url",
    "interval",
    "language",
    "backfill",
    "allow_private",
    "full_text",
    "name",
}


def _telegram(r: Reader, node: yaml.Node | None) -> TelegramConfig:
    keys = {"token", "api_base_url", "admins", "link_preview"}
    m = r.mapping(node, "telegram", keys) if node is not None else {}
    token = r.text(m["token"], "telegram.token") if "token" in m else None
    admins: list[int] = []
    if "admins" in m:
        for i, item in enumerate(r.sequence(m["admins"], "telegram.admins")):
            if (n := r.integer(item, f"telegram.admins[{i}]")) is not None:
                admins.append(n)
    base = "https://api.telegram.org"
    if "api_base_url" in m:
        base = r.string(m["api_base_url"], "telegram.api_base_url", _check_url) or base
    preview = r.boolean(m["link_preview"], "telegram.link_preview") if "link_preview" in m else None
    return TelegramConfig(
        token=token or None,
        token_variable=r.env_used.get("telegram.token"),
        api_base_url=base.rstrip("/"),
        admins=tuple(admins),
        link_preview=bool(preview),
    )


def _source(r: Reader, node: yaml.Node, path: str, seen: dict[str, str]) -> Source | None:
    m = r.mapping(node, path, _SOURCE_KEYS)
    before = len(r.problems)
    for required in ("id", "url"):
        if required not in m:
            r.fail(node, path, f"missing required key {required!r}")
    sid = r.string(m["id"], f"{path}.id", _check_source_id) if "id" in m else None
    if sid and sid in seen:
        r.fail(m["id"], f"{path}.id", f"duplicate source id {sid!r} (also {seen[sid]})")
    elif sid:
        seen[sid] = path
    url = r.string(m["url"], f"{path}.url", _check_url) if "url" in m else None
    kwargs: dict[str, Any] = {}
    if "interval" in m:
        kwargs["interval"] = r.duration(m["interval"], f"{path}.interval", minimum=10.0)
    if "language" in m:
        kwargs["language"] = r.string(m["language"], f"{path}.language", _check_lang)
    if "backfill" in m:
        kwargs["backfill"] = r.integer(m["backfill"], f"{path}.backfill", minimum=0)
    for flag in ("allow_private", "full_text"):
        if flag in m:
            kwargs[flag] = r.boolean(m[flag], f"{path}.{flag}")
    if "name" in m:
        kwargs["name"] = r.text(m["name"], f"{path}.name")
    if len(r.problems) > before or not sid or not url:
        return None
    clean = {k: v for k, v in kwargs.items() if v is not None}
    if "language" in clean:
        clean["language"] = clean["language"].lower().replace("_", "-")
    return Source(id=SourceId(sid), url=url, origin="config", **clean)


def _check_source_id(value: str) -> str | None:
    return None if SOURCE_ID_RE.match(value) else f"must match [a-z0-9-]+, got {value!r}"


def _translation(r: Reader, node: yaml.Node | None) -> TranslationConfig:
    keys = {"default_language", "timeout", "providers", "pool_size"}
    m = r.mapping(node, "translation", keys) if node is not None else {}
    kwargs: dict[str, Any] = {}
    if "default_language" in m:
        kwargs["default_language"] = r.string(
            m["default_language"], "translation.default_language", _check_lang
        )
    if "timeout" in m:
        kwargs["timeout"] = r.duration(m["timeout"], "translation.timeout", minimum=0.1)
    if "pool_size" in m:
        kwargs["pool_size"] = r.integer(m["pool_size"], "translation.pool_size", minimum=1)
    if "providers" in m:
        providers = []
        for i, item in enumerate(r.sequence(m["providers"], "translation.providers")):
            if (p := _provider(r, item, f"translation.providers[{i}]")) is not None:
                providers.append(p)
        kwargs["providers"] = tuple(providers)
    return TranslationConfig(**{k: v for k, v in kwargs.items() if v is not None})


def _provider(r: Reader, node: yaml.Node, path: str) -> ProviderSpec | None:
    m = r.mapping(node, path, {"type", "url", "api_key", "region"})
    if "type" not in m:
        r.fail(node, path, "missing required key 'type'")
        return None
    kind = r.text(m["type"], f"{path}.type")
    if kind not in PROVIDERS:
        r.fail(
            m["type"], f"{path}.type", f"unknown provider {kind!r}; one of {', '.join(PROVIDERS)}"
        )
        return None
    url = r.string(m["url"], f"{path}.url", _check_url) if "url" in m else None
    key = r.text(m["api_key"], f"{path}.api_key") if "api_key" in m else None
    region = r.text(m["region"], f"{path}.region") if "region" in m else None
    if kind == "libre" and not url:
        r.fail(node, path, "a libre provider needs a url")
    if kind in ("deepl", "microsoft") and not key:
        r.fail(node, path, f"a {kind} provider needs an api_key")
    return ProviderSpec(type=kind, url=url, api_key=key or None, region=region or None)


def _polling(r: Reader, node: yaml.Node | None) -> PollingConfig:
    durations = {"max_age", "dedup_window", "retention"}
    ints = {"max_failures": 1, "concurrency": 1, "per_host": 1, "max_bytes": 1024}
    m = r.mapping(node, "polling", durations | set(ints)) if node is not None else {}
    kwargs: dict[str, Any] = {}
    for key, value in m.items():
        if key in durations:
            kwargs[key] = r.duration(value, f"polling.{key}", minimum=60.0)
        else:
            kwargs[key] = r.integer(value, f"polling.{key}", minimum=ints[key])
    return PollingConfig(**{k: v for k, v in kwargs.items() if v is not None})


def _delivery(r: Reader, node: yaml.Node | None) -> DeliveryConfig:
    m = r.mapping(node, "delivery", {"backlog_alert", "max_attempts"}) if node is not None else {}
    kwargs = {k: r.integer(v, f"delivery.{k}", minimum=1) for k, v in m.items()}
    return DeliveryConfig(**{k: v for k, v in kwargs.items() if v is not None})


def _resolve(base: Path | None, raw: str) -> Path:
    path = Path(raw).expanduser()
    if path.is_absolute() or base is None:
        return path
    beside = base / path
    return beside if beside.exists() or not path.exists() else path


# --- entry points ----------------------------------------------------------------------------


def load_config(path: Path, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate `path`; raise ConfigError listing every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError([Problem(str(path), 1, 1, f"cannot read config: {e.strerror}")]) from e
    config = parse_config(text, file=str(path), base=path.parent, env=env)
    return replace(config, path=path)


def parse_config(
    text: str, *, file: str, base: Path | None, env: Mapping[str, str] | None = None
) -> Config:
    """Validate config text; raise ConfigError listing every problem."""
    reader = Reader(file, os.environ if env is None else env)
    root, broken = compose(text, file)
    if broken is not None:
        raise ConfigError([broken])
    top = reader.mapping(root, "", _TOP) if root is not None else {}
    config = _build(reader, top, base)
    if reader.problems:
        error = ConfigError(reader.problems)
        error.partial = config  # what could be read, so `warta check` can still check the rules
        raise error
    return config


def _build(r: Reader, top: dict[str, yaml.Node], base: Path | None) -> Config:
    telegram = _telegram(r, top.get("telegram"))
    storage = r.mapping(top["storage"], "storage", {"path", "url"}) if "storage" in top else {}
    db = r.text(storage["path"], "storage.path") if "path" in storage else None
    url = _storage_url(r, storage)
    sources: list[Source] = []
    seen: dict[str, str] = {}
    for i, item in enumerate(r.sequence(top["sources"], "sources") if "sources" in top else []):
        if (src := _source(r, item, f"sources[{i}]", seen)) is not None:
            sources.append(src)
    rules = r.mapping(top["rules"], "rules", {"paths"}) if "rules" in top else {}
    rule_paths: list[Path] = []
    for i, item in enumerate(r.sequence(rules["paths"], "rules.paths") if "paths" in rules else []):
        if raw := r.text(item, f"rules.paths[{i}]"):
            rule_paths.append(_resolve(base, raw))
    http = r.mapping(top["http"], "http", {"listen"}) if "http" in top else {}
    listen = r.string(http["listen"], "http.listen", _check_listen) if "listen" in http else None
    log = r.mapping(top["log"], "log", {"format", "level"}) if "log" in top else {}
    log_format = _choice(r, log, "format", ("auto", "json", "console")) or "auto"
    log_level = _choice(r, log, "level", ("DEBUG", "INFO", "WARNING", "ERROR")) or "INFO"
    return Config(
        path=None,
        telegram=telegram,
        storage_path=_resolve(base, db or r.env.get("WARTA_STORAGE_PATH") or "./data/warta.db"),
        sources=tuple(sources),
        rules_paths=tuple(rule_paths) or (_resolve(base, "rules"),),
        translation=_translation(r, top.get("translation")),
        http_listen=listen or r.env.get("WARTA_HTTP_LISTEN") or "127.0.0.1:8080",
        polling=_polling(r, top.get("polling")),
        delivery=_delivery(r, top.get("delivery")),
        log_format=log_format,
        log_level=log_level,
        storage_url=url,
    )


def _storage_url(r: Reader, storage: dict[str, yaml.Node]) -> str | None:
    """storage.url, a postgresql:// URL (never echoed: it may hold a password)."""
    if "url" not in storage:
        return None
    node = storage["url"]
    url = r.text(node, "storage.url")
    if url is None:
        return None
    if "path" in storage:
        r.fail(node, "storage.url", "give storage.path (SQLite) or storage.url, not both")
    elif not url:
        var = r.env_used.get("storage.url")
        r.fail(
            node, "storage.url", f"is empty{f': set the environment variable {var}' if var else ''}"
        )
    elif not url.startswith(("postgresql://", "postgres://")):
        r.fail(node, "storage.url", "expected a postgresql:// URL")
    else:
        return url
    return None


def _choice(r: Reader, m: dict[str, yaml.Node], key: str, options: tuple[str, ...]) -> str | None:
    if key not in m:
        return None
    value = r.text(m[key], f"log.{key}")
    if value is None:
        return None
    if value.upper() in options or value.lower() in options:
        return value.upper() if value.upper() in options else value.lower()
    r.fail(m[key], f"log.{key}", f"expected one of {', '.join(options)}, got {value!r}")
    return None


def default_config_path(explicit: str | None) -> Path:
    """`-c`, then `$WARTA_CONFIG`, then `./config.yaml`."""
    return Path(explicit or os.environ.get("WARTA_CONFIG") or "config.yaml")
