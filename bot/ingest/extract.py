"""The main text of an article page, for sources with ``full_text: true``.

Pure (no I/O), stdlib `html.parser` only: trafilatura's dependency tree is too heavy for a
small VPS. The approach is Readability's, in brief:

1. Decode (`bot.ingest.charset.decode_page`): the HTTP charset, else ``<meta charset>``, each
   only if it decodes the bytes (valid UTF-8 wins; a statistical guess last). Input beyond
   `MAX_BYTES` is cut, and the tree is at most `MAX_DEPTH` deep: work stays bounded.
2. Build a small tree without scripts, styles and hidden elements, then drop the page chrome:
   navigation, headers, footers, asides, forms, figures (with their captions), and elements
   whose class or id says comment, share, related, promo, cookie, subscribe, sidebar, menu...
   A chrome element holding most of the page's text is kept: it wraps the page.
3. Score: every run of paragraph text (a ``<p>``, a leaf ``<div>``, or text between ``<br>``)
   of at least `MIN_PARAGRAPH` characters adds ``1 + commas + min(chars / 100, 3)`` to its
   container and half to the container's parent. A container's score is scaled by
   ``1 - link density``. Lengths count characters, never words, so scripts written without
   spaces (Chinese, Japanese, Thai, Burmese) score like the others.
4. Choose: an element with ``itemprop=articleBody``; else the best-scoring container inside
   the ``<article>`` holding the most text, when that is a fair share of the page's paragraph
   text; else the best-scoring container of the page. Siblings of the container that look like
   more of the same article (a lead ``<div>`` before the body) are taken with it.
5. Write the chosen subtree out as paragraphs (blank lines), without link-heavy blocks and
   ``<h1>`` (the title is known from the feed), normalised with `clean_text`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

from bot.ingest.charset import decode_page
from bot.ingest.normalize import clean_text

MAX_BYTES = 2_000_000
MAX_DEPTH = 180
MAX_NODES = 60_000  # elements; a real article page has a few thousand
_CHUNK = 65_536
MIN_PARAGRAPH = 25  # characters in a run of text for it to count as a paragraph
MIN_ARTICLE = 60  # characters in the result below which the page has no article

_NEVER_TEXT = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "iframe", "svg", "canvas",
     "video", "audio", "object", "embed", "select", "button", "textarea", "dialog", "math", "map"}
)  # fmt: skip
_CHROME_TAGS = frozenset(
    {"nav", "header", "footer", "aside", "form", "figure", "figcaption", "menu"}
)
WRAPPER_SHARE = 0.5  # a chrome element holding this share of the page's text wraps it: kept
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr", "keygen"}
)  # fmt: skip
_BLOCK = frozenset(
    {"address", "article", "aside", "blockquote", "body", "center", "dd", "details", "div",
     "dl", "dt", "fieldset", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
     "header", "hgroup", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section",
     "summary", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "ul", "caption"}
)  # fmt: skip
_CLOSES_P = _BLOCK - {"body", "html", "li", "dd", "dt", "td", "th", "tr", "tbody", "caption"}
_PARA_TAGS = frozenset({"p", "pre", "td", "blockquote"})
_HEAD_TAGS = frozenset({"title", "meta", "link", "style", "script", "base", "noscript"})
_TAG_WEIGHT = {"div": 5, "article": 5, "pre": 3, "td": 3, "blockquote": 3, "section": 2,
               "ol": -3, "ul": -3, "dl": -3, "li": -3, "form": -3, "th": -5, "h1": -5,
               "h2": -5, "h3": -5}  # fmt: skip
_STATE_WORDS = re.compile(r"(?<![a-z])(?:has|with|no|without|show|hide|is)[-_][\w-]+")
_JUNK = re.compile(
    r"(?<![a-z])(?:comment(?!ary)|disqus|share|sharing|social|related|recommend|promo|sponsor"
    r"|advert|ads?(?![a-z])|cookie|consent|gdpr|subscri|newsletter|signup|sidebar|menu|nav"
    r"|breadcrumb|footer|masthead|banner|popup|modal|outbrain|taboola|pagination|pager"
    r"|skip-link|print-only|toolbar|most-?(?:read|popular|viewed)|paywall|regist|login|donat"
    r"|byline|author|submitted|dateline|timestamp)"
)
_KEEP = re.compile(r"article-?(?:body|content|text)|story-?body|post-?(?:body|content)"
                   r"|entry-?content|main-?content")  # fmt: skip
_POSITIVE = re.compile(r"article|body|content|entry|main|post|text|story|blog")
_NEGATIVE = re.compile(r"hidden|banner|comment|foot|meta|promo|related|share|sidebar|tags|widget")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")
_CAMEL = re.compile(r"([a-z])([A-Z])")
_COMMAS = re.compile(r"[,،，、]")
_SPACE = re.compile(r"\s+")
_PARA = "\x00"  # a paragraph break while writing text out


@dataclass(eq=False, slots=True)
class _Node:
    tag: str
    parent: _Node | None
    label: str = ""  # class and id, lower-cased
    preferred: bool = False  # itemprop=articleBody
    chrome: bool = False  # navigation, comments, sharing...: removed unless it wraps the page
    children: list[_Node | str] = field(default_factory=list)
    chars: int = 0  # characters of text in the subtree, spaces excluded
    link_chars: int = 0
    score: float = 0.0
    points: float = 0.0  # the part of `score` earned by paragraphs, not by tag or class


def _is_hidden(tag: str, attrs: dict[str, str]) -> bool:
    hidden = "hidden" in attrs or attrs.get("aria-hidden") == "true"
    return tag in _NEVER_TEXT or hidden or bool(_HIDDEN_STYLE.search(attrs.get("style", "")))


def _is_chrome(tag: str, label: str, attrs: dict[str, str]) -> bool:
    if tag in _CHROME_TAGS:
        return True
    if attrs.get("role") in ("navigation", "complementary", "banner", "contentinfo", "dialog"):
        return True
    if not label or tag in ("html", "body", "article", "main") or "itemprop" in attrs:
        return False
    label = _STATE_WORDS.sub(" ", label)
    return bool(_JUNK.search(label)) and not _KEEP.search(label)


def _label(attrs: dict[str, str]) -> str:
    """Class and id, lower-cased, camelCase split: "m-articleRegist" -> "m-article-regist"."""
    if "class" not in attrs and "id" not in attrs:
        return ""
    return _CAMEL.sub(r"\1-\2", f"{attrs.get('class', '')} {attrs.get('id', '')}").lower()


class _TreeBuilder(HTMLParser):
    """A forgiving tree: implied ends of <p>/<li>/<td>/<head>, unmatched end tags ignored, at most
    `MAX_DEPTH` deep and `MAX_NODES` elements (`full` is then set and the rest is ignored)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", None)
        self.stack: list[_Node] = [self.root]
        self.open: Counter[str] = Counter()
        self.preferred: list[_Node] = []
        self.articles: list[_Node] = []
        self.nodes = 0
        self.full = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._imply_ends(tag)
        top = self.stack[-1]
        self.nodes += 1
        self.full = self.nodes >= MAX_NODES
        if tag in ("br", "hr"):
            top.children.append(_Node(tag, top))
        if tag in _VOID or len(self.stack) >= MAX_DEPTH or self.full:
            return
        values = {k: (v or "") for k, v in attrs}
        node = _Node(tag, top, _label(values), values.get("itemprop") == "articleBody")
        node.chrome = _is_chrome(tag, node.label, values)
        if not _is_hidden(tag, values):
            top.children.append(node)  # a hidden node is built but never attached: it vanishes
            if node.preferred:
                self.preferred.append(node)
            elif tag == "article":
                self.articles.append(node)
        self.stack.append(node)
        self.open[tag] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack[-1].tag == tag:
            self._pop_to(tag)

    def _imply_ends(self, tag: str) -> None:
        if self.open["head"] and tag not in _HEAD_TAGS:
            self._pop_to("head")
        if tag in _CLOSES_P and self.open["p"]:
            self._pop_to("p")
        elif tag in ("li", "dt", "dd", "td", "th", "tr") and self.open[tag]:
            self._pop_to(tag)

    def _pop_to(self, tag: str) -> None:
        if not self.open[tag]:
            return
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                for node in self.stack[i:]:
                    self.open[node.tag] -= 1
                del self.stack[i:]
                return

    def handle_endtag(self, tag: str) -> None:
        if tag == "br" or (tag == "p" and not self.open["p"]):  # </br>, a stray </p>: browsers too
            self.stack[-1].children.append(_Node(tag, self.stack[-1]))
        else:
            self._pop_to(tag)

    def handle_data(self, data: str) -> None:
        if not self.full:
            self.stack[-1].children.append(data)


def _defuse(text: str) -> str:
    """`text` with the "<" of stretches holding many "<" and no ">" escaped, but the last.

    html.parser looks for the ">" ending a tag from each "<": many "<" before a distant ">"
    ("<<a<<b" repeated) take quadratic time. Real pages have such stretches only in scripts,
    whose text is dropped; elsewhere a "<" without its ">" is text anyway."""
    parts = text.split(">")
    for i, part in enumerate(parts):
        if part.count("<") > 16:
            head, mark, tail = part.rpartition("<")
            parts[i] = head.replace("<", "&lt;") + mark + tail
    return ">".join(parts)


def _parse(text: str) -> _TreeBuilder:
    text = _defuse(text)
    builder = _TreeBuilder()
    for start in range(0, len(text), _CHUNK):
        builder.feed(text[start : start + _CHUNK])
        if builder.full:
            return builder
    builder.close()
    return builder


def _count(root: _Node) -> list[_Node]:
    """Fill `chars`/`link_chars` bottom-up; the nodes in document order."""
    order: list[_Node] = []
    todo = [root]
    while todo:
        node = todo.pop()
        order.append(node)
        todo.extend(c for c in reversed(node.children) if isinstance(c, _Node))
    for node in reversed(order):
        chars = links = 0
        for child in node.children:
            if isinstance(child, str):
                chars += _chars(child)
            else:
                chars += child.chars
                links += child.chars if child.tag == "a" else child.link_chars
        node.chars, node.link_chars = chars, links
    return order


def _chars(text: str) -> int:
    return len(_SPACE.sub("", text))


def _prune(root: _Node) -> None:
    """Remove chrome elements, except one holding most of the page's text: on malformed pages an
    unclosed masthead or an ASP.NET <form> wraps the article."""
    floor = WRAPPER_SHARE * (root.chars - root.link_chars)
    todo = [root]
    while todo:
        node = todo.pop()
        node.children = [
            c
            for c in node.children
            if isinstance(c, str) or not c.chrome or c.chars - c.link_chars >= floor
        ]
        todo.extend(c for c in node.children if isinstance(c, _Node))


def _runs(node: _Node) -> list[int]:
    """Character counts of the inline runs directly in `node` (split by <br> and blocks)."""
    runs, current = [], 0
    for child in node.children:
        if isinstance(child, str):
            current += _chars(child)
        elif child.tag in _BLOCK or child.tag == "br":
            runs.append(current)
            current = 0
        else:
            current += child.chars - child.link_chars
    runs.append(current)
    return [r for r in runs if r >= MIN_PARAGRAPH]


def _score(order: list[_Node]) -> list[_Node]:
    """Readability's scores; the scored containers."""
    scored: dict[int, _Node] = {}
    for node in order:
        runs = _runs(node)
        if not runs or node.tag in ("h1", "h2", "h3", "h4", "h5", "h6", "a"):
            continue
        leaf = node.tag in _PARA_TAGS or _is_leaf(node)
        owner = node.parent if leaf and node.parent is not None else node
        commas = len(_COMMAS.findall(_text_of(node)))
        points = sum(1 + min(r / 100, 3) for r in runs) + commas
        for target, share in ((owner, 1.0), (owner.parent, 0.5)):
            if target is None:
                continue
            if id(target) not in scored:
                scored[id(target)] = target
                target.score = _initial(target)
            target.points += points * share
    nodes = list(scored.values())
    for node in nodes:
        keep = 1 - (node.link_chars / node.chars if node.chars else 0)
        node.points *= keep
        node.score = node.score * keep + node.points
    return nodes


def _is_leaf(node: _Node) -> bool:
    """A block holding only inline content: a paragraph, whatever its tag."""
    blocks = (c for c in node.children if isinstance(c, _Node) and c.tag in _BLOCK)
    return node.tag in _BLOCK and next(blocks, None) is None


def _initial(node: _Node) -> float:
    weight = float(_TAG_WEIGHT.get(node.tag, 0))
    if node.label:
        weight += 10 if _POSITIVE.search(node.label) else 0
        weight -= 25 if _NEGATIVE.search(node.label) else 0
    return weight


def _own_chars(node: _Node) -> int:
    return node.chars - node.link_chars


def _choose(builder: _TreeBuilder, order: list[_Node], scored: list[_Node]) -> list[_Node]:
    alive = {id(n) for n in order}
    best = max(scored, key=lambda n: n.score, default=None)
    floor = max(MIN_ARTICLE, _own_chars(best) // 3 if best is not None else 0)
    body = max((n for n in builder.preferred if id(n) in alive), key=_own_chars, default=None)
    if body is not None and _own_chars(body) >= MIN_ARTICLE:  # explicit: trusted
        return [body]
    article = max((n for n in builder.articles if id(n) in alive), key=_own_chars, default=None)
    if article is not None and _own_chars(article) >= floor:
        inner = [n for n in scored if _within(n, article)]
        best = max(inner, key=lambda n: n.score, default=article)
        return [article] if best is article else _with_siblings(best)
    return [] if best is None else _with_siblings(best)


def _within(node: _Node, ancestor: _Node) -> bool:
    current: _Node | None = node
    while current is not None:
        if current is ancestor:
            return True
        current = current.parent
    return False


def _with_siblings(best: _Node) -> list[_Node]:
    if best.parent is None:
        return [best]
    threshold = max(10.0, best.points * 0.2)
    chosen = []
    for sibling in best.parent.children:
        if not isinstance(sibling, _Node):
            continue
        density = sibling.link_chars / sibling.chars if sibling.chars else 1.0
        if (
            sibling is best
            or sibling.points >= threshold
            or (_is_leaf(sibling) and sibling.chars >= 80 and density < 0.25)
        ):
            chosen.append(sibling)
    return chosen


def _write(node: _Node, out: list[str]) -> None:
    if node.tag == "h1" or (node.tag != "a" and node.link_chars > 0.5 * node.chars):
        return  # the headline (known from the feed), a link list
    block = node.tag in _BLOCK
    if block:
        out.append(_PARA)
    for child in node.children:
        if isinstance(child, str):
            out.append(child.replace("\n", " ").replace("\r", " "))
        elif child.tag == "br":
            out.append("\n")
        else:
            _write(child, out)
    if block:
        out.append(_PARA)


def _text_of(node: _Node) -> str:
    out: list[str] = []
    for child in node.children:
        if isinstance(child, str):
            out.append(child)
        elif child.tag not in _BLOCK:
            out.append(_text_of(child))
    return "".join(out)


def extract_main_text(body: bytes, *, url: str, charset: str | None = None) -> str:
    """The article's main text in `body` (the page at `url`, served with HTTP `charset`),
    paragraphs separated by blank lines; "" when nothing article-like is found."""
    del url  # the page's address: part of the API for site rules; none are needed yet
    if not body.strip():
        return ""
    builder = _parse(decode_page(body, charset, max_bytes=MAX_BYTES))
    _count(builder.root)
    _prune(builder.root)
    order = _count(builder.root)
    out: list[str] = []
    for node in _choose(builder, order, _score(order)):
        _write(node, out)
    text = clean_text("".join(out).replace(_PARA, "\n\n"))
    return text if _chars(text) >= MIN_ARTICLE else ""


__all__ = ["MAX_BYTES", "extract_main_text"]
