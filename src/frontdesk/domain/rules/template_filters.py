"""The filters a template may use, with the ones that can build big values measured first.
Pure.

`sum` joins lists in one pass (Python's `sum(lists, [])` is quadratic) and refuses a result
over the list cap; `join` refuses a text over the text cap, counting its separator; `list`
refuses a list over the cap; `reverse` and `unique` give lists, not iterators that would print
as `<generator object … at 0x…>`. Every filter reads the clock first, and those that write
their value out as text (`string`, `upper`, `escape`…) check it is data within the text cap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from itertools import islice
from typing import Any

from jinja2 import Environment, pass_environment, pass_eval_context
from jinja2.filters import do_reverse, make_attrgetter, sync_do_join, sync_do_unique
from jinja2.nodes import EvalContext

from frontdesk.domain.rules.template_limits import (
    CURRENT_METER,
    MAX_LIST_ITEMS,
    check_as_text,
    check_list,
    check_separated,
    linear_sum,
)

TEXT_FILTERS = frozenset(
    {
        "capitalize", "e", "escape", "lower", "string", "striptags", "title", "trim",
        "truncate", "upper", "urlencode", "wordcount",
    }
)  # fmt: skip
"""Filters that write their value out as text first (`str()`)."""


def bounded_filters(
    builtin: Mapping[str, Callable[..., Any]], allowed: frozenset[str]
) -> dict[str, Callable[..., Any]]:
    """The `allowed` filters: Jinja's own, or their bounded replacement, each timed; those
    that write their value out as text check it first (`check_as_text`)."""
    chosen = {name: _REPLACEMENTS.get(name, builtin[name]) for name in sorted(allowed)}
    return {
        name: _guarded(function, as_text=name in TEXT_FILTERS) for name, function in chosen.items()
    }


def _guarded(function: Callable[..., Any], *, as_text: bool) -> Callable[..., Any]:
    # The value comes after what Jinja passes first (context, eval context or environment).
    position = 1 if hasattr(function, "jinja_pass_arg") else 0

    # `wraps` keeps Jinja's marks (`jinja_pass_arg`), so the wrapper is called the same way.
    @wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        meter = CURRENT_METER.get()
        if meter is not None:
            meter.check_time()
        if as_text and len(args) > position:
            check_as_text(args[position])
        return function(*args, **kwargs)

    return run


@pass_environment
def _sum(
    environment: Environment,
    iterable: Iterable[Any],
    attribute: str | int | None = None,
    start: Any = 0,
) -> Any:
    if attribute is not None:
        iterable = map(make_attrgetter(environment, attribute), iterable)
    return linear_sum(iterable, start)


@pass_eval_context
def _join(
    eval_ctx: EvalContext, value: Iterable[Any], d: str = "", attribute: str | int | None = None
) -> str:
    if attribute is not None:
        value = map(make_attrgetter(eval_ctx.environment, attribute), value)
    items = _listed(value)
    check_separated(items, str(d))
    for item in items:
        check_as_text(item)
    return sync_do_join(eval_ctx, items, d)


def _listed(value: Iterable[Any]) -> list[Any]:
    """`value` as a list, refused over the list cap before it is copied."""
    if isinstance(value, str | list | tuple | Mapping):
        check_list(len(value))
        return list(value)
    items = list(islice(value, MAX_LIST_ITEMS + 1))
    check_list(len(items), exact=len(items) <= MAX_LIST_ITEMS)
    return items


def _reverse(value: Any) -> Any:
    reversed_value = do_reverse(value)
    return reversed_value if isinstance(reversed_value, str) else _listed(reversed_value)


@pass_environment
def _unique(
    environment: Environment,
    value: Iterable[Any],
    case_sensitive: bool = False,
    attribute: str | int | None = None,
) -> list[Any]:
    return _listed(sync_do_unique(environment, value, case_sensitive, attribute))


_REPLACEMENTS: dict[str, Callable[..., Any]] = {
    "sum": _sum,
    "join": _join,
    "list": _listed,
    "reverse": _reverse,
    "unique": _unique,
}
