"""Rules files: YAML in, validated rules and entities out, every problem with its line and column.

    entities: {id: {country: KP, aliases: {lang: [..]}, exclude: {lang: [..]}}}
    rules: [{id, name, all, any, none, near, fields, languages, sources, tags}]

Items are `@entity`, keywords (a trailing `*` on a word matches any ending), `re:PATTERN`, or a
nested group `{all|any|none: [...]}`. `check_rules` returns every problem; `load_ruleset`
raises `RulesError` with all of them, or returns the compiled `RuleSet`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import regex
import yaml

from bot.analyze.entities import (
    ANY_LANGUAGE,
    Alias,
    Entity,
    known_territory,
    language_group,
    valid_language,
)
from bot.errors import Problem, RulesError
from bot.model import FIELDS, Field, RuleId
from bot.yamlread import compose, problem_at

if TYPE_CHECKING:
    from bot.analyze.engine import RuleSet

GroupKind = Literal["all", "any", "none"]
_ID = re.compile(r"^[a-z0-9-]+$")
_RULE_KEYS = {"id", "name", "all", "any", "none", "near", "fields", "languages", "sources", "tags"}
_ENTITY_KEYS = {"country", "aliases", "exclude", "short", "includes"}
_ALIAS_KEYS = {"text", "exact", "title_only"}


@dataclass(frozen=True, slots=True)
class Group:
    """`all`, `any` or `none` of its items; an item is a term string or a nested group."""

    kind: GroupKind
    items: tuple[str | Group, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One rule: `all` items (possibly near each other), at least one `any`, no `none`."""

    id: RuleId
    name: str
    all: Group = Group("all", ())
    any: Group | None = None
    none: Group | None = None
    near: int | Literal["sentence"] | None = None
    fields: tuple[Field, ...] = FIELDS
    languages: frozenset[str] | None = None  # language groups
    sources: frozenset[str] | None = None
    tags: tuple[str, ...] = ()
    origin: str = ""  # FILE:LINE, for explanations


@dataclass(slots=True)
class _Loaded:
    rules: list[Rule] = field(default_factory=list)
    entities: dict[str, Entity] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    references: list[tuple[str, Problem]] = field(default_factory=list)  # @entity uses


def rule_files(paths: Sequence[Path]) -> list[Path]:
    """Files named directly, and the *.yaml/*.yml files of folders, in a stable order."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        else:
            out.append(path)
    return out


def check_rules(paths: Sequence[Path]) -> list[Problem]:
    """Every problem in the rules files (empty when they are valid)."""
    return _load(paths).problems


def load_ruleset(paths: Sequence[Path]) -> RuleSet:
    """Load and compile the rules; raise `RulesError` listing every problem."""
    from bot.analyze.engine import RuleSet

    loaded = _load(paths)
    if loaded.problems:
        raise RulesError(loaded.problems)
    return RuleSet.compile(loaded.rules, loaded.entities)


def parse_rules_text(text: str, name: str = "<rules>") -> tuple[list[Rule], dict[str, Entity]]:
    """Parse one rules document held in memory (tests, `/test`); raise `RulesError`."""
    loaded = _Loaded()
    _load_text(text, name, loaded)
    _check_references(loaded)
    if loaded.problems:
        raise RulesError(loaded.problems)
    return loaded.rules, loaded.entities


def _load(paths: Sequence[Path]) -> _Loaded:
    loaded = _Loaded()
    for path in rule_files(paths):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            loaded.problems.append(Problem(str(path), 1, 1, f"cannot read: {e}"))
            continue
        _load_text(text, str(path), loaded)
    _check_references(loaded)
    loaded.problems.sort(key=lambda p: (p.file, p.line, p.col))
    return loaded


def _check_references(loaded: _Loaded) -> None:
    for name, problem in loaded.references:
        if name not in loaded.entities:
            loaded.problems.append(problem)


class _File:
    """Validation state for one file: its name and where problems go."""

    def __init__(self, name: str, loaded: _Loaded) -> None:
        self.name = name
        self.loaded = loaded

    def problem(self, node: yaml.Node, message: str) -> None:
        self.loaded.problems.append(problem_at(self.name, node, message))

    def mapping(
        self, node: yaml.Node, what: str, keys: set[str]
    ) -> Iterator[tuple[str, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping")
            return
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                self.problem(key, f"{what}: keys must be plain strings")
            elif keys and key.value not in keys:
                self.problem(
                    key, f"{what}: unknown key {key.value!r} (known: {', '.join(sorted(keys))})"
                )
            else:
                yield key.value, value

    def scalar(self, node: yaml.Node, what: str) -> str | None:
        if isinstance(node, yaml.ScalarNode) and node.value.strip():
            return str(node.value)
        self.problem(node, f"{what} must be a non-empty string")
        return None

    def strings(self, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node]]:
        items = node.value if isinstance(node, yaml.SequenceNode) else None
        if items is None:
            self.problem(node, f"{what} must be a list")
            return []
        return [(s, n) for n in items if (s := self.scalar(n, f"{what} item")) is not None]


def _load_text(text: str, name: str, loaded: _Loaded) -> None:
    f = _File(name, loaded)
    root, broken = compose(text, name)
    if broken is not None:
        loaded.problems.append(broken)
    if root is None:
        return
    for key, value in f.mapping(root, "rules file", {"entities", "rules"}):
        if key == "entities":
            for ent_id, ent_node in f.mapping(value, "entities", set()):
                _load_entity(f, ent_id, ent_node, value)
        elif isinstance(value, yaml.SequenceNode):
            for rule_node in value.value:
                _load_rule(f, rule_node)
        else:
            f.problem(value, "rules must be a list")


def _load_entity(f: _File, ent_id: str, node: yaml.Node, parent: yaml.Node) -> None:
    key_node = next(k for k, v in parent.value if v is node)
    if not _ID.match(ent_id):
        f.problem(key_node, f"entity id {ent_id!r} must match [a-z0-9-]+")
    if ent_id in f.loaded.entities:
        f.problem(key_node, f"entity {ent_id!r} is defined twice")
        return
    country: str | None = None
    names: dict[str, list[Alias]] = {"aliases": [], "exclude": [], "short": []}
    includes: list[str] = []
    for key, value in f.mapping(node, f"entity {ent_id}", _ENTITY_KEYS):
        if key == "country":
            country = f.scalar(value, "country")
            if country is not None and not known_territory(country):
                f.problem(value, f"country {country!r} is not a known territory code")
                country = None
        elif key == "includes":
            for other, item in f.strings(value, "includes"):
                problem = problem_at(f.name, item, f"includes: unknown entity {other!r}")
                f.loaded.references.append((other, problem))
                includes.append(other)
        else:
            names[key].extend(_load_aliases(f, value, key))
    f.loaded.entities[ent_id] = Entity(
        id=ent_id, country=country, aliases=tuple(names["aliases"]),
        exclude=tuple(names["exclude"]), short=tuple(names["short"]), includes=tuple(includes),
    )  # fmt: skip


def _load_aliases(f: _File, node: yaml.Node, what: str) -> Iterator[Alias]:
    for lang, items in f.mapping(node, what, set()):
        if not valid_language(lang):
            f.problem(node, f'{what}: {lang!r} is not a language code (or "*")')
            continue
        group = lang if lang == ANY_LANGUAGE else language_group(lang)
        if not isinstance(items, yaml.SequenceNode):
            f.problem(items, f"{what}.{lang} must be a list")
            continue
        for item in items.value:
            alias = _load_alias(f, item, group)
            if alias is not None:
                yield alias


def _load_alias(f: _File, node: yaml.Node, group: str) -> Alias | None:
    if isinstance(node, yaml.ScalarNode):
        text = f.scalar(node, "alias")
        return (
            None
            if text is None or not _check_term(f, node, text)
            else Alias(text=text, language=group)
        )
    opts = dict(f.mapping(node, "alias", _ALIAS_KEYS))
    text = f.scalar(opts["text"], "alias text") if "text" in opts else None
    if text is None:
        f.problem(node, "alias needs `text`")
        return None
    flags = {k: _bool(f, opts[k], k) for k in ("exact", "title_only") if k in opts}
    return Alias(text=text, language=group, **flags)


def _bool(f: _File, node: yaml.Node, what: str) -> bool:
    if isinstance(node, yaml.ScalarNode) and node.value in ("true", "false"):
        return bool(node.value == "true")
    f.problem(node, f"{what} must be true or false")
    return False


def _check_term(f: _File, node: yaml.Node, text: str) -> bool:
    if text.startswith("re:"):
        try:
            regex.compile(text[3:])
        except regex.error as e:
            f.problem(node, f"bad regular expression {text[3:]!r}: {e}")
            return False
        return True
    if "*" in text.rstrip("*").replace("* ", " "):
        f.problem(node, f"{text!r}: `*` may only end a word")
        return False
    return True


def _load_rule(f: _File, node: yaml.Node) -> None:
    values = dict(f.mapping(node, "rule", _RULE_KEYS))
    if not values and isinstance(node, yaml.MappingNode):
        f.problem(node, "empty rule")
    rule_id = f.scalar(values["id"], "id") if "id" in values else None
    if "id" not in values and isinstance(node, yaml.MappingNode):
        f.problem(node, "rule needs an `id`")
    if rule_id is not None and not _ID.match(rule_id):
        f.problem(values["id"], f"rule id {rule_id!r} must match [a-z0-9-]+")
    if rule_id is not None and any(r.id == rule_id for r in f.loaded.rules):
        f.problem(values["id"], f"duplicate rule id {rule_id!r}")
        rule_id = None
    groups = {k: _load_group(f, values[k], k) for k in ("all", "any", "none") if k in values}
    if "all" not in groups and "any" not in groups and isinstance(node, yaml.MappingNode):
        f.problem(node, "rule needs `all` or `any`")
    name = f.scalar(values["name"], "name") if "name" in values else None
    kwargs = _rule_options(f, values)
    if rule_id is None:
        return
    f.loaded.rules.append(
        Rule(
            id=RuleId(rule_id),
            name=name or rule_id,
            all=groups.get("all") or Group("all", ()),
            any=groups.get("any"),
            none=groups.get("none"),
            origin=f"{f.name}:{node.start_mark.line + 1}",
            **kwargs,  # type: ignore[arg-type]  # checked by _rule_options
        )
    )


def _rule_options(f: _File, values: dict[str, yaml.Node]) -> dict[str, object]:
    out: dict[str, object] = {}
    if "near" in values:
        out["near"] = _near(f, values["near"])
    if "fields" in values:
        fields = [s for s, n in f.strings(values["fields"], "fields") if _known_field(f, n, s)]
        out["fields"] = tuple(x for x in FIELDS if x in fields)
    if "languages" in values:
        langs = f.strings(values["languages"], "languages")
        for code, n in langs:
            if not valid_language(code) or code == ANY_LANGUAGE:
                f.problem(n, f"{code!r} is not a language code")
        out["languages"] = frozenset(language_group(c) for c, _ in langs)
    if "sources" in values:
        out["sources"] = frozenset(s for s, _ in f.strings(values["sources"], "sources"))
    if "tags" in values:
        out["tags"] = tuple(s for s, _ in f.strings(values["tags"], "tags"))
    return out


def _known_field(f: _File, node: yaml.Node, name: str) -> bool:
    if name in FIELDS:
        return True
    f.problem(node, f"unknown field {name!r} (known: {', '.join(FIELDS)})")
    return False


def _near(f: _File, node: yaml.Node) -> int | Literal["sentence"] | None:
    value = node.value if isinstance(node, yaml.ScalarNode) else None
    if value == "sentence":
        return "sentence"
    if value is not None and value.isdigit() and int(value) > 0:
        return int(value)
    f.problem(node, "near must be `sentence` or a positive number of words")
    return None


def _load_group(f: _File, node: yaml.Node, kind: GroupKind) -> Group:
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        f.problem(node, f"`{kind}` must be a non-empty list")
        return Group(kind, ())
    items: list[str | Group] = []
    for item in node.value:
        if isinstance(item, yaml.MappingNode):
            nested = list(f.mapping(item, "nested group", {"all", "any", "none"}))
            if len(nested) != 1:
                f.problem(item, "a nested group has exactly one key: all, any or none")
                continue
            sub_kind, sub = nested[0]
            items.append(_load_group(f, sub, sub_kind))  # type: ignore[arg-type]
            continue
        text = f.scalar(item, f"`{kind}` item")
        if text is None or not _check_term(f, item, text):
            continue
        if text.startswith("@"):
            f.loaded.references.append(
                (text[1:], problem_at(f.name, item, f"unknown entity {text!r}"))
            )
        items.append(text)
    return Group(kind, tuple(items))
