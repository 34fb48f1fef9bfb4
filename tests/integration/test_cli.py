"""Every `warta` command a user runs, with the exit status and output CONTRACT.md promises."""

from __future__ import annotations

import asyncio
import io
import sqlite3
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.store import chats as chat_store
from bot.store.db import open_db
from tests.servers.feeds import FeedServer

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def write_config(tmp_path: Path, feed_url: str = "http://127.0.0.1:9/none.xml") -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"storage:\n  path: {tmp_path / 'w.db'}\n"
        f"rules:\n  paths: [{ROOT / 'rules'}]\n"
        f"sources:\n  - id: local\n    url: {feed_url}\n    allow_private: true\n",
        encoding="utf-8",
    )
    return config


def test_check_accepts_the_example_config(capsys: pytest.CaptureFixture[str]) -> None:
    """`warta check -c config.example.yaml` exits 0 without a token in the environment."""
    code, out, _ = run(["check", "-c", str(ROOT / "config.example.yaml")], capsys)
    assert code == 0
    assert "ok" in out


def test_check_reports_config_and_rules_problems_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad config key and a broken rules file are both printed as FILE:LINE:COL: message."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bad.yaml").write_text(
        "rules:\n  - id: x\n    name: X\n    all: ['@atlantis']\n", encoding="utf-8"
    )
    config = tmp_path / "config.yaml"
    config.write_text(
        "rules:\n  paths: [rules/]\nsources:\n  - id: a\n    url: http://a.example/\n"
        "    intervall: 5m\n",
        encoding="utf-8",
    )
    code, _, err = run(["check", "-c", str(config)], capsys)
    assert code == 1
    assert f"{config}:6:5: sources[0].intervall: unknown key" in err
    assert f"{rules / 'bad.yaml'}:4:" in err
    assert "atlantis" in err


def test_match_explains_a_hit_and_exits_zero(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`warta match` on an Indonesian text names the rule that matched; exit status 0."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("Korea Utara mengirim pasukan ke Rusia."))
    code, out, _ = run(
        ["match", "--rules", str(ROOT / "rules"), "--lang", "id", "--title", "Berita", "-"], capsys
    )
    assert code == 0
    assert "korean-peninsula" in out
    assert "Korea Utara" in out


def test_match_exits_three_when_nothing_matches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Text that no rule wants gives exit status 3."""
    body = tmp_path / "body.txt"
    body.write_text("Harga cabai naik menjelang akhir tahun.", encoding="utf-8")
    code, _, _ = run(["match", "--rules", str(ROOT / "rules"), "--lang", "id", str(body)], capsys)
    assert code == 3


def test_match_with_a_broken_rules_folder_exits_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Broken rules are an error (exit 1) that names the file, not a silent non-match."""
    (tmp_path / "r.yaml").write_text("rules: [", encoding="utf-8")
    body = tmp_path / "b.txt"
    body.write_text("x", encoding="utf-8")
    code, _, err = run(["match", "--rules", str(tmp_path), str(body)], capsys)
    assert code == 1
    assert "r.yaml:" in err


async def test_poll_prints_what_would_be_alerted_and_delivers_nothing(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """`warta poll` fetches the source, prints the matching item, and records nothing: no alert
    queued, no item marked seen (a subscribed chat would still get it from `warta run`)."""
    feed_server.add_item(
        "/n.xml", "Korea Utara kirim pasukan ke Rusia", "http://n.example/1",
        published=datetime.now(UTC), lang="id",
    )  # fmt: skip
    feed_server.add_item("/n.xml", "Harga cabai naik", "http://n.example/2", lang="id")
    config = write_config(tmp_path, feed_server.url("/n.xml"))
    store = open_db(tmp_path / "w.db")  # a service's database, with a subscribed chat
    chat_store.ensure_chat(store, 9, now=0.0, language="off")
    chat_store.subscribe(store, 9, "all", thread_id=None, now=0.0)
    code, out, _ = await asyncio.to_thread(run, ["poll", "-c", str(config)], capsys)
    assert code == 0
    assert "Korea Utara kirim pasukan ke Rusia" in out
    assert "to 1 chat(s)" in out
    assert "Harga cabai" not in out
    assert store.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
    assert store.execute("SELECT COUNT(*) FROM seen").fetchone()[0] == 0
    store.close()


async def test_opml_import_then_export_round_trips(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Importing an OPML file stores its feeds (HTML pages followed); export lists them all."""
    feed_server.add_item("/a.xml", "Item", "http://a.example/1")
    feed_server.set_html("/page.html", feed_link="/a2.xml")
    feed_server.add_item("/a2.xml", "Item", "http://a.example/2")
    config = write_config(tmp_path, feed_server.url("/a.xml"))
    opml = tmp_path / "in.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        f'<outline text="Page" xmlUrl="{feed_server.url("/page.html")}"/>'
        '<outline text="Gone" xmlUrl="http://127.0.0.1:9/gone.xml"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    code, out, _ = await asyncio.to_thread(
        run, ["sources", "import", str(opml), "-c", str(config)], capsys
    )
    assert code == 0
    assert "1 added, 1 failed" in out
    code, out, _ = run(["sources", "export", "-c", str(config)], capsys)
    assert code == 0
    assert feed_server.url("/a2.xml") in out  # the feed the page linked, not the page
    assert feed_server.url("/a.xml") in out  # the config's own source


def test_backup_copies_the_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`warta backup PATH` writes a database that opens and holds the same rows."""
    from bot.store.db import open_db

    config = write_config(tmp_path)
    conn = open_db(tmp_path / "w.db")
    conn.execute("INSERT INTO meta (key, value) VALUES ('probe', 'yes')")
    code, _, _ = run(["backup", str(tmp_path / "copy.db"), "-c", str(config)], capsys)
    conn.close()
    assert code == 0
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("SELECT value FROM meta WHERE key = 'probe'").fetchone() == ("yes",)
    copy.close()


def test_run_without_token_names_the_variable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`warta run` with an unset token exits 1 and says which variable to set."""
    monkeypatch.delenv("MY_TOKEN", raising=False)
    config = tmp_path / "c.yaml"
    config.write_text("telegram:\n  token: ${MY_TOKEN}\n", encoding="utf-8")
    code, _, err = run(["run", "-c", str(config)], capsys)
    assert code == 1
    assert "MY_TOKEN" in err


def test_demo_prints_alerts_in_each_readers_language(capsys: pytest.CaptureFixture[str]) -> None:
    """`warta demo` merges one story from five outlets in four languages into one alert per
    reader, translated into the reader's language."""
    code, out, _ = run(["demo"], capsys)
    assert code == 0
    assert "also: ANTARA News" in out  # to the English reader
    assert "juga: ANTARA News" in out  # to the Indonesian reader
    assert "North Korea sends thousands more troops to Russia" in out  # to the English reader
    assert "북한, 러시아에 병력 수천 명 추가 파병" in out  # to the Korean reader
    assert "다른 매체: ANTARA News" in out  # the alert's own words in Korean too
    # key lines translated, the original below them
    assert "According to the NIS, the North Korean troops have been deployed" in out
    assert "Menurut NIS, pasukan Korea Utara itu ditempatkan di wilayah Kursk." in out
    # the story told in Korean, Russian and English is one alert per reader, naming the others
    assert '↳ 연합뉴스 (ko): NIS: "North Korea sends 3,000 more troops to Russia"' in out
    assert '↳ РИА Новости (ru): 한국 정보당국 "북한군 러시아로 이동"' in out
    assert "6 alerts, as each reader sees them" in out  # 3 readers x (that story, ASEAN)
    assert "Rupiah" not in out  # unrelated news is not alerted


SCOPED_RULES = """
rules:
  - id: us-local
    name: US on the local feed
    all: ["@united-states"]
    languages: [id]
    sources: [local]
"""


def scoped_config(tmp_path: Path) -> Path:
    """A config whose one source declares Indonesian, and a rule only for that source."""
    (tmp_path / "scoped.yaml").write_text(SCOPED_RULES, encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(
        f"storage:\n  path: {tmp_path / 'w.db'}\n"
        f"rules:\n  paths: [{ROOT / 'rules' / 'entities.yaml'}, {tmp_path / 'scoped.yaml'}]\n"
        "sources:\n  - id: local\n    url: http://127.0.0.1:9/x.xml\n    allow_private: true\n"
        "    language: id\n",
        encoding="utf-8",
    )
    return config


def test_match_without_a_source_says_a_source_scoped_rule_would_not_fire(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule with `sources:` never alerts on a text from no source, and `warta match` says so
    (and exits 3) instead of MATCH (fails before this change: it said MATCH, exit 0)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("Presiden AS bertemu Kim di Hanoi."))
    code, out, _ = run(["match", "-c", str(scoped_config(tmp_path)), "--lang", "id"], capsys)
    assert "us-local: no: only for sources ['local'], and this text has no source" in out
    assert code == 3


def test_match_with_a_source_applies_its_configured_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--source local` reads the source's `language: id` as delivery does, so the Indonesian
    alias AS counts on a short line detection would call German (fails before this change)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("Presiden AS Joe Biden bertemu Kim."))
    config = scoped_config(tmp_path)
    code, out, _ = run(["match", "-c", str(config), "--source", "local"], capsys)
    assert out.startswith("language: id\n")
    assert "us-local: MATCH" in out
    assert code == 0
    code, _, err = run(["match", "-c", str(config), "--source", "nope"], capsys)
    assert code == 1
    assert f"{config}: no source 'nope' (sources: local)" in err


def _with_database_url(url: str, tmp_path: Path) -> Path:
    config = tmp_path / "c.yaml"
    config.write_text(
        f"telegram:\n  token: '123:abc'\nstorage:\n  url: ${{DATABASE_URL}}\n"
        f"rules:\n  paths: [{ROOT / 'rules'}]\n",
        encoding="utf-8",
    )
    return config


@pytest.mark.parametrize(
    "make_url",
    [
        # nothing listens on port 1
        lambda pg: "postgresql://warta:s3cret-pw@127.0.0.1:1/warta?connect_timeout=2",
        # the server is there, but refuses this user
        lambda pg: pg.replace("postgresql://postgres:", "postgresql://intruder:s3cret-pw"),
    ],
    ids=["unreachable", "refused"],
)
def test_run_on_a_database_it_cannot_open_names_it_without_the_password(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    postgres_url: str,
    make_url: Callable[[str], str],
) -> None:
    """`warta run` with storage.url pointing at a database it cannot reach or log in to: one line
    on stderr naming the URL, never the password; exit 1."""
    url = make_url(postgres_url)
    monkeypatch.setenv("DATABASE_URL", url)
    code, _, err = run(["run", "-c", str(_with_database_url(url, tmp_path))], capsys)
    assert code == 1
    assert len(err.strip().splitlines()) == 1, err
    assert "s3cret-pw" not in err
    assert url.replace(":s3cret-pw", "").split("?")[0] in err


def test_an_unset_database_url_is_a_config_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """storage.url: ${DATABASE_URL} with the variable unset is reported by `warta check`,
    naming the variable, rather than quietly falling back to a SQLite file."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    code, out, err = run(["check", "-c", str(_with_database_url("", tmp_path))], capsys)
    assert code == 1
    assert "storage.url: is empty: set the environment variable DATABASE_URL" in out + err
