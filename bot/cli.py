"""The `warta` command line (CONTRACT.md, "Command line"): parsing and printing, no logic."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot import __version__
from bot.config import Config, default_config_path, load_config
from bot.errors import ConfigError, Problem, RulesError, StorageError

if TYPE_CHECKING:
    from bot.model import Source

EXIT_OK, EXIT_ERROR, EXIT_NO_MATCH = 0, 1, 3


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not getattr(args, "func", None):
        _parser().print_help()
        return EXIT_ERROR
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return EXIT_ERROR
    except StorageError as e:  # unreachable, refused, or newer: one line naming the database
        print(f"warta: {e}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `warta demo | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="warta", description="Multilingual news alerts for Telegram")
    p.add_argument("--version", action="version", version=f"warta {__version__}")
    sub = p.add_subparsers(metavar="COMMAND")

    def command(name: str, func: object, help: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help, description=help)
        sp.set_defaults(func=func)
        return sp

    for name, func, help in (
        ("run", _run, "run the service"),
        ("check", _check, "validate the config and every rules file"),
        ("poll", _poll, "fetch sources once and print what would be alerted"),
        ("backup", _backup, "copy the database consistently, even while running"),
        ("migrate", _migrate, "bring the database to this version; --from-sqlite moves a file in"),
    ):
        sp = command(name, func, help)
        sp.add_argument("-c", "--config", help="config file (default $WARTA_CONFIG, ./config.yaml)")
        if name == "poll":
            sp.add_argument("--source", help="only this source id")
        if name == "backup":
            sp.add_argument("path", help="where to write the copy")
        if name == "migrate":
            sp.add_argument(
                "--from-sqlite",
                metavar="PATH",
                help="copy this SQLite file into"
                " the PostgreSQL database of storage.url (which must be empty)",
            )
    command("demo", _demo, "the main job offline on bundled feeds; prints each alert")
    m = command("match", _match, "which rules match this text, and why")
    m.add_argument("-c", "--config")
    m.add_argument("--rules", action="append", help="rules file or folder (replaces the config's)")
    m.add_argument("--lang", help="the article's language (default: detected)")
    m.add_argument("--title", default="", help="the headline")
    m.add_argument("--source", help="the source the text comes from: its rules and language apply")
    m.add_argument("path", nargs="?", default="-", help="body text file, or - for stdin")
    s = command("sources", _sources_usage, "import or export sources")
    ssub = s.add_subparsers(metavar="ACTION")
    imp = ssub.add_parser("import", help="add every feed of an OPML file")
    imp.set_defaults(func=_sources_import)
    imp.add_argument("file")
    imp.add_argument("-c", "--config")
    exp = ssub.add_parser("export", help="print every source as OPML")
    exp.set_defaults(func=_sources_export)
    exp.add_argument("-c", "--config")
    return p


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _load(args: argparse.Namespace) -> Config | None:
    try:
        return load_config(default_config_path(getattr(args, "config", None)))
    except ConfigError as e:
        _print_problems(e.problems)
        return None


# --- commands ------------------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    from bot.analyze.rules import check_rules

    path = default_config_path(args.config)
    problems: list[Problem] = []
    config: Config | None = None
    try:
        config = load_config(path)
    except ConfigError as e:
        problems.extend(e.problems)
        partial = e.partial if isinstance(e.partial, Config) else None
        problems.extend(check_rules(partial.rules_paths) if partial else [])
    else:
        problems.extend(check_rules(config.rules_paths))
    _print_problems(problems)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return EXIT_ERROR
    assert config is not None
    print(f"{path}: ok ({len(config.sources)} sources, rules from "
          f"{', '.join(str(p) for p in config.rules_paths)})")  # fmt: skip
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from bot.app import App
    from bot.log import setup_logging

    config = _load(args)
    if config is None:
        return EXIT_ERROR
    if not config.telegram.token:
        var = config.telegram.token_variable or "TELEGRAM_BOT_TOKEN"
        print(f"{config.path}: telegram.token is empty: set the environment variable {var}",
              file=sys.stderr)  # fmt: skip
        return EXIT_ERROR
    setup_logging(level=config.log_level, fmt=config.log_format, secrets=[config.telegram.token])
    try:
        return asyncio.run(App(config).run())
    except RulesError as e:
        _print_problems(e.problems)
        return EXIT_ERROR


def _match(args: argparse.Namespace) -> int:
    from bot.analyze.engine import Document
    from bot.analyze.language import detect_language, normalize_code
    from bot.analyze.rules import load_ruleset

    config = None
    if not args.rules or (args.source and (args.config or default_config_path(None).exists())):
        config = _load(args)  # --source reads the source's settings from the config
        if config is None:
            return EXIT_ERROR
    paths = [Path(p) for p in args.rules] if args.rules or config is None else config.rules_paths
    source_language = None
    if args.source and config is not None:
        found = _source_settings(config, args.source)
        if found is None:
            return EXIT_ERROR
        source_language = found.language
    elif args.source:
        print(f"note: no config read: {args.source}'s settings (language) not applied",
              file=sys.stderr)  # fmt: skip
    try:
        body = sys.stdin.read() if args.path == "-" else Path(args.path).read_text(encoding="utf-8")
        ruleset = load_ruleset(paths)
    except OSError as e:
        print(f"{args.path}: {e.strerror}", file=sys.stderr)
        return EXIT_ERROR
    except RulesError as e:
        _print_problems(e.problems)
        return EXIT_ERROR
    title = args.title
    # as delivery decides it: the source's configured language, else detected when needed
    language = (
        args.lang
        or normalize_code(source_language)
        or (lambda: detect_language(title=title, text=body, source_language=source_language))
    )
    report = ruleset.match(
        Document(title=title, summary="", content=body),
        source_id=args.source,
        language=language,
        every_hit=True,
    )
    print(report.explain())
    return EXIT_OK if report.matched else EXIT_NO_MATCH


def _source_settings(config: Config, source_id: str) -> Source | None:
    from bot.commands import known_sources, open_existing
    from bot.model import SourceId

    conn = open_existing(config)
    try:
        sources = known_sources(config, conn)
    finally:
        conn.close()
    found = sources.get(SourceId(source_id))
    if found is None:
        known = ", ".join(sorted(sources)) or "none"
        print(f"{config.path}: no source {source_id!r} (sources: {known})", file=sys.stderr)
    return found


def _poll(args: argparse.Namespace) -> int:
    from bot.commands import poll_once

    config = _load(args)
    if config is None:
        return EXIT_ERROR
    try:
        return asyncio.run(poll_once(config, only=args.source, out=sys.stdout))
    except RulesError as e:
        _print_problems(e.problems)
        return EXIT_ERROR


def _demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    return asyncio.run(run_demo(out=sys.stdout))


def _backup(args: argparse.Namespace) -> int:
    from bot.store.db import backup

    config = _load(args)
    if config is None:
        return EXIT_ERROR
    if config.storage_url is not None:
        print("storage.url: back up a PostgreSQL database with pg_dump", file=sys.stderr)
        return EXIT_ERROR
    if not config.storage_path.exists():
        print(f"{config.storage_path}: no database yet", file=sys.stderr)
        return EXIT_ERROR
    backup(config.storage_path, Path(args.path))
    print(f"backed up {config.storage_path} to {args.path}")
    return EXIT_OK


def _migrate(args: argparse.Namespace) -> int:
    from bot.store.copy import copy_from_sqlite
    from bot.store.db import open_db

    config = _load(args)
    if config is None:
        return EXIT_ERROR
    if args.from_sqlite and config.storage_url is None:
        print(f"{config.path}: storage.url: name the PostgreSQL database to move into",
              file=sys.stderr)  # fmt: skip
        return EXIT_ERROR
    store = open_db(config.storage)
    try:
        if args.from_sqlite:
            copied = copy_from_sqlite(Path(args.from_sqlite), store)
            print(", ".join(f"{table} {n}" for table, n in copied.items()))
            print(f"copied {args.from_sqlite} into {store.describe()}")
        else:
            print(f"{store.describe()}: up to date")
    finally:
        store.close()
    return EXIT_OK


def _sources_usage(args: argparse.Namespace) -> int:
    print("usage: warta sources {import FILE.opml | export} [-c FILE]", file=sys.stderr)
    return EXIT_ERROR


def _sources_import(args: argparse.Namespace) -> int:
    from bot.commands import import_opml

    config = _load(args)
    if config is None:
        return EXIT_ERROR
    return asyncio.run(import_opml(config, Path(args.file), out=sys.stdout))


def _sources_export(args: argparse.Namespace) -> int:
    from bot.commands import export_opml

    config = _load(args)
    if config is None:
        return EXIT_ERROR
    sys.stdout.write(export_opml(config))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
