"""The config file: interpolation, defaults, and every problem reported with its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config, parse_config
from bot.errors import ConfigError
from bot.yamlread import parse_duration

ROOT = Path(__file__).resolve().parents[2]


def problems_of(text: str, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(text, file="c.yaml", base=None, env=env or {})
    return [str(p) for p in info.value.problems]


def test_example_config_is_valid() -> None:
    """The shipped config.example.yaml loads without a problem."""
    config = load_config(ROOT / "config.example.yaml", env={"TELEGRAM_BOT_TOKEN": "1:x"})
    assert config.telegram.token == "1:x"
    assert config.sources[0].id == "cnbc-indonesia"
    assert config.sources[0].interval == 300
    assert config.translation.providers[0].type == "libre"


def test_environment_variables_and_defaults_are_substituted() -> None:
    """${VAR} takes the environment's value and ${VAR:-default} falls back when unset or empty."""
    text = (
        "telegram:\n  token: ${TOK}\n  api_base_url: ${API:-http://127.0.0.1:9}\n"
        "translation:\n  providers:\n    - type: libre\n      url: http://x\n"
        "      api_key: ${KEY:-}\n"
    )
    config = parse_config(text, file="c.yaml", base=None, env={"TOK": "42:abc", "API": ""})
    assert config.telegram.token == "42:abc"
    assert config.telegram.token_variable == "TOK"
    assert config.telegram.api_base_url == "http://127.0.0.1:9"
    assert config.translation.providers[0].api_key is None


def test_every_problem_is_reported_with_line_and_key_path() -> None:
    """Unknown keys, bad durations and wrong types come back together, each with its place."""
    text = (
        "sources:\n"
        "  - id: a\n    url: http://a.example/feed\n    intervall: 5m\n"
        "  - id: B!\n    url: http://b.example/feed\n    interval: soon\n"
        "  - id: c\n    url: http://c.example/feed\n    interval: 1s\n    backfill: many\n"
        "telegram:\n  admins: [12, x]\n"
    )
    found = problems_of(text)
    assert "c.yaml:4:5: sources[0].intervall: unknown key (did you mean 'interval'?)" in found
    assert any(p.startswith("c.yaml:5:") and "sources[1].id: must match" in p for p in found)
    assert any("sources[1].interval: not a duration: 'soon'" in p for p in found)
    assert any("sources[2].interval: must be at least 10s" in p for p in found)
    assert any("sources[2].backfill: expected a whole number" in p for p in found)
    assert any("telegram.admins[1]: expected a whole number" in p for p in found)
    assert len(found) == 6


def test_duplicate_source_ids_and_unknown_provider_are_errors() -> None:
    """Two sources with one id, and a provider type Warta does not know, are both reported."""
    text = (
        "sources:\n  - {id: a, url: 'http://a.example/'}\n  - {id: a, url: 'http://b.example/'}\n"
        "translation:\n  providers:\n    - type: babelfish\n"
    )
    found = problems_of(text)
    assert any("sources[1].id: duplicate source id 'a'" in p for p in found)
    assert any("translation.providers[0].type: unknown provider 'babelfish'" in p for p in found)


def test_yaml_syntax_error_names_its_position() -> None:
    """Broken YAML is one problem at the line and column where the parser stopped."""
    (problem,) = problems_of("telegram:\n  token: [unclosed\nstorage: {}\n")
    assert problem.startswith("c.yaml:3:")
    assert "YAML syntax" in problem


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("5m", 300), ("2h", 7200), ("1d", 86400), ("250ms", 0.25)]
)
def test_durations(text: str, seconds: float) -> None:
    """Durations are written with a unit and read as seconds."""
    assert parse_duration(text) == seconds


def test_relative_paths_are_resolved_beside_the_config_file(tmp_path: Path) -> None:
    """storage.path and rules.paths are relative to the config file's folder."""
    (tmp_path / "rules").mkdir()
    path = tmp_path / "config.yaml"
    path.write_text("storage:\n  path: data/w.db\nrules:\n  paths: [rules/]\n", encoding="utf-8")
    config = load_config(path, env={})
    assert config.storage_path == tmp_path / "data" / "w.db"
    assert config.rules_paths == (tmp_path / "rules",)


def test_storage_url_selects_postgresql_and_is_never_echoed() -> None:
    """storage.url (from the environment) replaces the SQLite file; a URL of another kind, or
    given next to storage.path, is a problem whose message does not repeat it (the password)."""
    env = {"DATABASE_URL": "postgresql://warta:pw@db.internal/warta"}
    config = parse_config("storage:\n  url: ${DATABASE_URL}\n", file="c.yaml", base=None, env=env)
    assert config.storage == "postgresql://warta:pw@db.internal/warta"
    (other,) = problems_of("storage:\n  url: mysql://warta:pw@db/warta\n")
    assert other.endswith("storage.url: expected a postgresql:// URL")
    (both,) = problems_of("storage:\n  path: w.db\n  url: postgresql://warta:pw@db/warta\n")
    assert "not both" in both
    assert "pw" not in other + both


def test_image_defaults_come_from_the_environment_unless_the_file_sets_them() -> None:
    """WARTA_STORAGE_PATH and WARTA_HTTP_LISTEN are defaults; the config file's values win."""
    env = {"WARTA_STORAGE_PATH": "/data/warta.db", "WARTA_HTTP_LISTEN": "0.0.0.0:8080"}
    bare = parse_config("{}", file="c.yaml", base=None, env=env)
    assert bare.storage_path == Path("/data/warta.db")
    assert bare.http_listen == "0.0.0.0:8080"
    text = "storage:\n  path: /srv/w.db\nhttp:\n  listen: 127.0.0.1:9000\n"
    explicit = parse_config(text, file="c.yaml", base=None, env=env)
    assert explicit.storage_path == Path("/srv/w.db")
    assert explicit.http_listen == "127.0.0.1:9000"
