"""The rules in force: the files' rule set plus every chat's personal rules, swapped atomically.

`current()` is what the pipeline matches against. A reload compiles a whole new set first; a
broken file leaves the old set in place and returns the problems.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from bot.analyze.engine import Document, RuleSet
from bot.analyze.language import detect_language
from bot.analyze.rules import load_ruleset
from bot.analyze.watch import PersonalRule, parse_watch
from bot.errors import Problem, RulesError, WatchSyntaxError
from bot.store import chats as chat_store
from bot.store.db import Store

log = logging.getLogger("warta.rules")


class Rulebook:
    def __init__(self, paths: Sequence[Path], conn: Store | None = None) -> None:
        self.paths = tuple(paths)
        self.conn = conn
        self._files = load_ruleset(self.paths)  # raises RulesError: refuse to start broken
        self._current = self._with_personal(self._files)

    def current(self) -> RuleSet:
        return self._current

    def reload(self) -> list[Problem]:
        """Re-read the files; on problems keep the old set and return them."""
        try:
            files = load_ruleset(self.paths)
        except RulesError as e:
            return e.problems
        self._files = files
        self._current = self._with_personal(files)
        return []

    def watches_changed(self) -> None:
        self._current = self._with_personal(self._files)

    def _with_personal(self, files: RuleSet, chat_id: int | None = None) -> RuleSet:
        """`files` plus the stored `/watch` rules: every chat's, or only `chat_id`'s."""
        if self.conn is None:
            return files
        personal = []
        for w in chat_store.watches(self.conn, chat_id):
            try:
                expr = parse_watch(w.expr, allow_regex=True)
            except WatchSyntaxError as e:
                log.warning("personal rule skipped", extra={"chat_id": w.chat_id, "error": str(e)})
                continue
            personal.append(
                PersonalRule(id=f"watch:{w.chat_id}:{w.id}", chat_id=w.chat_id, expr=expr)
            )
        return files.with_personal(personal) if personal else files

    # --- RulesView for the chat commands ---

    def rules(self) -> Sequence[tuple[str, str, tuple[str, ...]]]:
        return [(r.id, r.name, tuple(r.tags)) for r in self._files.rules]

    def check_watch(self, expr: str, *, allow_regex: bool) -> str | None:
        try:
            parsed = parse_watch(expr, allow_regex=allow_regex)
            self._files.with_personal([PersonalRule(id="watch:0:0", chat_id=0, expr=parsed)])
        except (WatchSyntaxError, RulesError) as e:
            return str(e)
        return None

    def explain(
        self,
        text: str,
        *,
        title: str = "",
        language: str | None = None,
        chat_id: int | None = None,
    ) -> str:
        """What `warta match` says for `text`; with `chat_id`, that chat's `/watch` rules are
        judged too, as delivery would judge them for it."""
        title = title or text.split("\n", 1)[0]
        doc = Document(title=title, summary="", content=text if text != title else "")
        rules = self._files if chat_id is None else self._with_personal(self._files, chat_id)
        report = rules.match(
            doc,
            language=language or (lambda: detect_language(title=title, text=text)),
            every_hit=True,
        )
        return report.explain()
