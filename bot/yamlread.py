"""Reading composed YAML nodes with every problem kept by file, line, column and key path.

`Reader` walks the nodes `yaml.compose` returns (each keeps its position), replaces `${VAR}`
and `${VAR:-default}` from the environment, converts values (text, whole numbers, booleans,
durations) and collects a `Problem` for each one that is wrong instead of stopping.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping

import yaml

from bot.errors import Problem

DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def parse_duration(text: str) -> float:
    """`30s`, `5m`, `2h`, `1d` (and `250ms`) in seconds; ValueError otherwise."""
    m = DURATION_RE.match(text)
    if not m:
        raise ValueError(f"not a duration: {text!r} (write e.g. 30s, 5m, 2h, 1d)")
    return float(m.group(1)) * _UNITS[m.group(2)]


def problem_at(file: str, node: yaml.Node | None, message: str) -> Problem:
    """A problem at `node`'s line and column in `file` (1:1 without a node)."""
    line, col = (node.start_mark.line + 1, node.start_mark.column + 1) if node else (1, 1)
    return Problem(file, line, col, message)


def compose(text: str, file: str) -> tuple[yaml.Node | None, Problem | None]:
    """`text` as nodes that keep their positions (None for an empty document), or the YAML
    syntax problem that stops it."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader), None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, Problem(file, line, col, f"YAML syntax: {e.problem or e}")


class Reader:
    """Walks composed YAML nodes, collecting problems with their path and position."""

    def __init__(self, file: str, env: Mapping[str, str]) -> None:
        self.file = file
        self.env = env
        self.problems: list[Problem] = []
        self.env_used: dict[str, str] = {}  # path -> variable name

    def fail(self, node: yaml.Node | None, path: str, message: str) -> None:
        prefix = f"{path}: " if path else ""
        self.problems.append(problem_at(self.file, node, prefix + message))

    def mapping(self, node: yaml.Node, path: str, keys: set[str]) -> dict[str, yaml.Node]:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, path, "expected a mapping")
            return {}
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            sub = f"{path}.{key}" if path else key
            if key not in keys:
                self.fail(key_node, sub, "unknown key" + _suggest(key, keys))
            elif key in out:
                self.fail(key_node, sub, "duplicate key")
            else:
                out[key] = value_node
        return out

    def sequence(self, node: yaml.Node, path: str) -> list[yaml.Node]:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, path, "expected a list")
            return []
        return list(node.value)

    def text(self, node: yaml.Node, path: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, path, "expected a single value")
            return None
        if node.tag.endswith(":null"):
            return None
        raw = str(node.value)
        names: list[str] = []

        def repl(m: re.Match[str]) -> str:
            names.append(m.group(1))
            value = self.env.get(m.group(1))
            if value is None or (value == "" and m.group(2) is not None):
                return m.group(2) if m.group(2) is not None else ""
            return value

        out = ENV_RE.sub(repl, raw)
        if names:
            self.env_used[path] = names[0]
        return out

    def string(
        self, node: yaml.Node, path: str, check: Callable[[str], str | None] | None = None
    ) -> str | None:
        value = self.text(node, path)
        if value is not None and check is not None and (msg := check(value)):
            self.fail(node, path, msg)
            return None
        return value

    def integer(self, node: yaml.Node, path: str, minimum: int | None = None) -> int | None:
        value = self.text(node, path)
        if value is None:
            return None
        try:
            number = int(value)
        except ValueError:
            self.fail(node, path, f"expected a whole number, got {value!r}")
            return None
        if minimum is not None and number < minimum:
            self.fail(node, path, f"must be at least {minimum}, got {number}")
            return None
        return number

    def boolean(self, node: yaml.Node, path: str) -> bool | None:
        value = self.text(node, path)
        if value is None:
            return None
        lowered = value.strip().lower()
        if lowered in ("true", "yes", "on", "1"):
            return True
        if lowered in ("false", "no", "off", "0", ""):
            return False
        self.fail(node, path, f"expected true or false, got {value!r}")
        return None

    def duration(self, node: yaml.Node, path: str, minimum: float = 0.0) -> float | None:
        value = self.text(node, path)
        if value is None:
            return None
        try:
            seconds = parse_duration(value)
        except ValueError as e:
            self.fail(node, path, str(e))
            return None
        if seconds < minimum:
            self.fail(node, path, f"must be at least {_fmt_seconds(minimum)}, got {value}")
            return None
        return seconds


def _suggest(key: str, keys: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(keys), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _fmt_seconds(seconds: float) -> str:
    return f"{seconds:g}s"
