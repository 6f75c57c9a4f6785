"""What can be known about a template's cost before it runs. Pure.

Two checks, both on the parsed tree: how deeply it nests (Jinja compiles and renders a tree
recursively, so depth is bounded well below Python's recursion limit), and the sizes of the
values its literal expressions build — `[0] * 20000`, `'ab' * 50000`, `('x' * 9000) + ('x' *
9000)`, `[[0] * 100] * 200` — measured without building them. A variable counts as a value of
unknown size, so only what the template itself guarantees is refused here; the same caps are
checked again while rendering (`template_limits`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from jinja2 import nodes

from frontdesk.domain.rules.template_limits import (
    LimitExceeded,
    check_list,
    check_repeat,
    check_text,
)
from frontdesk.i18n import _

MAX_DEPTH = 30
"""Nesting of the parsed template (an expression inside a filter inside an `if`…); the
longest of the examples and message templates is 5."""


def too_deep() -> str:
    return _("the template is nested more than {count} levels deep").format(count=MAX_DEPTH)


Kind = Literal["text", "list", "int", "other"]


@dataclass(frozen=True, slots=True)
class _Known:
    """What an expression is known to build: its kind and at least this size (characters,
    deep items), and for a whole number its exact value."""

    kind: Kind
    size: int
    value: int | None = None


def tree_depth(tree: nodes.Node) -> int:
    """The number of nodes on the longest path from the root (walked without recursion)."""
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in node.iter_child_nodes())
    return deepest


def static_problem(tree: nodes.Template) -> str | None:
    """Why the template is refused before running, or None: too deep, or a literal
    expression over a cap (`the template builds a list of 20,000 items; …`)."""
    if tree_depth(tree) > MAX_DEPTH:
        return too_deep()
    known: dict[int, _Known | None] = {}
    try:
        for node in tree.find_all((nodes.Mul, nodes.Add, nodes.Concat, nodes.Filter)):
            _estimate(node, known)
    except LimitExceeded as exc:
        return str(exc)
    return None


def _estimate(node: nodes.Node, known: dict[int, _Known | None]) -> _Known | None:
    if id(node) not in known:
        known[id(node)] = _shape(node, known)
    return known[id(node)]


def _shape(node: nodes.Node, known: dict[int, _Known | None]) -> _Known | None:
    if isinstance(node, nodes.Const):
        return _constant(node.value)
    if isinstance(node, nodes.List | nodes.Tuple):
        parts = [_estimate(item, known) for item in node.items]
        return _Known("list", max(1, sum(_items(part) for part in parts)))
    if isinstance(node, nodes.Mul):
        return _product(_estimate(node.left, known), _estimate(node.right, known))
    if isinstance(node, nodes.Add):
        return _addition(_estimate(node.left, known), _estimate(node.right, known))
    if isinstance(node, nodes.Concat):
        parts = [_estimate(item, known) for item in node.nodes]
        chars = sum(part.size if part is not None and part.kind != "int" else 0 for part in parts)
        check_text(chars)
        return _Known("text", chars)
    if isinstance(node, nodes.Filter) and node.node is not None:
        return _filtered(node.name, _estimate(node.node, known))
    return None


def _constant(value: object) -> _Known:
    if isinstance(value, str):
        return _Known("text", max(len(value), 1))
    if isinstance(value, int) and not isinstance(value, bool):
        return _Known("int", 1, value)
    return _Known("other", 1)


def _items(part: _Known | None) -> int:
    """The deep items a list element contributes, at least."""
    return part.size if part is not None and part.kind in ("text", "list") else 1


def _product(left: _Known | None, right: _Known | None) -> _Known | None:
    for seq, count in ((left, right), (right, left)):
        if seq is None or seq.kind not in ("text", "list"):
            continue
        if count is not None and count.value is not None:
            size = seq.size * max(count.value, 0)
            (check_text if seq.kind == "text" else check_list)(size)
            return _Known(seq.kind, size)
        return _Known(seq.kind, 0)
    first = left.value if left is not None else None
    second = right.value if right is not None else None
    if first is not None and second is not None:
        check_repeat(first, second)
        return _Known("int", 1, first * second)
    return None


def _addition(left: _Known | None, right: _Known | None) -> _Known | None:
    if left is None or right is None or left.kind != right.kind:
        return None
    if left.kind == "text":
        check_text(left.size + right.size)
        return _Known("text", left.size + right.size)
    if left.kind == "list":
        check_list(left.size + right.size)
        return _Known("list", left.size + right.size)
    if left.value is not None and right.value is not None:
        return _Known("int", 1, left.value + right.value)
    return None


_SAME_SIZE = frozenset({"list", "sort", "reverse"})
_TO_TEXT = frozenset({"string", "e", "escape", "join", "upper", "lower", "title", "capitalize"})


def _filtered(name: str, value: _Known | None) -> _Known | None:
    """What a filter makes of a value of known size: the same number of items, or a text at
    least that long."""
    if value is None or value.kind not in ("text", "list"):
        return None
    if name in _SAME_SIZE:
        kind: Kind = "list" if name == "list" or value.kind == "list" else "text"
        (check_list if kind == "list" else check_text)(value.size)
        return _Known(kind, value.size)
    if name in _TO_TEXT:
        check_text(value.size)
        return _Known("text", value.size)
    return None
