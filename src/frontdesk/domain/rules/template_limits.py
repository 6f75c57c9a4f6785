"""The bounds of one template rendering, checked before each operation allocates. Pure.

Without loops and calls a template can still build big values with a few operators: `*`
repeats text and lists, `+` joins them, `sum` of lists is quadratic, `join` repeats its
separator, and printing a nested list writes every item. Each of these is measured here first
and refused when its result would pass a cap; what the operations of one rendering build is
also counted against a budget, and the clock is read at each of them, so a render stops inside
an expression rather than after it.

Sizes are deep: text counts its characters, a list, tuple or dict the sizes of its items (keys
and values), anything else 1. `[[0] * 20000] * 400` is a list of 8,000,000 items even though
it holds 400 references to one list, because that is what `sum` or printing will walk.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock_time
from decimal import Decimal
from enum import Enum
from itertools import chain
from typing import Any
from uuid import UUID

from jinja2 import Undefined

MAX_TEXT_CHARS = 20_000
MAX_LIST_ITEMS = 10_000
MAX_INT_BITS = 256
MAX_INT_DIGITS = 77  # 256 bits
MAX_BUILT = 100_000
"""Items and characters the operations of one rendering may build or measure in all."""


class LimitExceeded(Exception):
    """A rendering went over one of its bounds. Not a ValueError or TypeError, which some
    filters (`int`, `float`) swallow."""


class NotPrintable(Exception):
    """A value that is not data (an object, a function) reached the output."""


@dataclass(slots=True)
class Meter:
    """What one rendering has built so far, and when it must stop."""

    deadline: float
    time_limit: float
    max_chars: int = MAX_TEXT_CHARS
    timer: Callable[[], float] = time.monotonic
    built: int = 0

    def charge(self, size: int) -> None:
        self.built += size
        if self.built > MAX_BUILT:
            raise LimitExceeded(
                f"the template works through more than {MAX_BUILT:,} items and characters in "
                "all; that is the limit"
            )
        self.check_time()

    def check_time(self) -> None:
        if self.timer() > self.deadline:
            raise LimitExceeded(f"took longer than {self.time_limit:g} s to render")


CURRENT_METER: ContextVar[Meter | None] = ContextVar("template_meter", default=None)


def charge(size: int) -> None:
    """Count `size` against the running rendering's budget (none at compile time, when Jinja
    folds constant expressions; their size is capped all the same)."""
    meter = CURRENT_METER.get()
    if meter is not None:
        meter.charge(size)


def size_of(value: object, limit: int) -> int:
    """The deep size of `value`, counting no further than just past `limit`: the walk costs
    at most `limit` steps even for a list holding one big list many times."""
    total = 0
    stack: list[Iterator[Any]] = [iter((value,))]
    while stack:
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
            continue
        if isinstance(item, str):
            total += max(len(item), 1)
        elif isinstance(item, Mapping) and item:
            stack.append(chain.from_iterable(item.items()))
        elif isinstance(item, list | tuple | set | frozenset) and item:
            stack.append(iter(item))
        else:
            total += 1
        if total > limit:
            break
    return total


_END = object()


def _amount(count: int, limit: int, exact: bool) -> str:
    return f"{count:,}" if exact else f"more than {limit:,}"


def check_list(items: int, *, exact: bool = True) -> None:
    """Refuse a list of `items` (deep) before it is built; count it otherwise. `exact`: the
    count is exact rather than where measuring stopped."""
    if items > MAX_LIST_ITEMS:
        raise LimitExceeded(
            f"the template builds a list of {_amount(items, MAX_LIST_ITEMS, exact)} items; "
            f"the limit is {MAX_LIST_ITEMS:,}"
        )
    charge(items)


def check_text(chars: int, *, exact: bool = True) -> None:
    """Refuse a text of `chars` before it is built; count it otherwise."""
    if chars > MAX_TEXT_CHARS:
        raise LimitExceeded(
            f"the template builds a text of {_amount(chars, MAX_TEXT_CHARS, exact)} "
            f"characters; the limit is {MAX_TEXT_CHARS:,}"
        )
    charge(chars)


def _deep(value: object) -> int:
    # Measuring is work too: counted, so that `big * 0` a thousand times still ends.
    items = size_of(value, MAX_LIST_ITEMS)
    charge(items)
    return items


def _deep_total(values: list[Any]) -> int:
    """The items of these lists together (what joining them makes), measured no further than
    just past the cap."""
    total = 0
    for value in values:
        if value or not isinstance(value, list | tuple):  # an empty list adds no item
            total += _deep(value)
        if total > MAX_LIST_ITEMS:
            break
    return total


def check_repeat(left: object, right: object) -> None:
    """`left * right`: repeated text or lists, or a product of whole numbers, within the caps."""
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(count, int):
            times = max(count, 0)
            if isinstance(seq, str):
                check_text(len(seq) * times)
            else:
                items = _deep(seq)
                check_list(items * times, exact=items <= MAX_LIST_ITEMS)
            return
    if isinstance(left, int) and isinstance(right, int):
        bits = left.bit_length() + right.bit_length()
        if bits > MAX_INT_BITS:
            digits = int(bits * 0.30103) + 1
            raise LimitExceeded(
                f"the template builds a number of about {digits:,} digits; "
                f"the limit is {MAX_INT_DIGITS} digits"
            )
    charge(1)


def check_join(left: object, right: object) -> None:
    """`left + right` on text or lists, within the caps."""
    if isinstance(left, str) and isinstance(right, str):
        check_text(len(left) + len(right))
    elif isinstance(left, list | tuple) and isinstance(right, list | tuple):
        first, second = _deep(left), _deep(right)
        check_list(first + second, exact=max(first, second) <= MAX_LIST_ITEMS)
    else:
        charge(1)


def linear_sum(values: Iterable[Any], start: Any = 0) -> Any:
    """`sum` that refuses a too-long list first and then joins lists in one pass: Python's
    own `sum(lists, [])` copies the growing list at every step."""
    items = list(values)
    if isinstance(start, list | tuple) and all(isinstance(i, type(start)) for i in items):
        check_list(_deep_total([start, *items]), exact=False)
        return type(start)(chain(start, *items))
    if any(isinstance(i, list | tuple | str) for i in items):
        # Python refuses these mixtures itself (text cannot be summed; a list cannot be added
        # to a number); measured first all the same.
        check_list(_deep_total(items), exact=False)
    charge(len(items))
    return sum(items, start)


def check_separated(items: list[Any], separator: str) -> None:
    """`items|join(separator)`: the text it makes, at least, within the cap."""
    chars = len(separator) * max(len(items) - 1, 0)
    for item in items:
        chars += len(item) if isinstance(item, str) else _deep(item)
        if chars > MAX_TEXT_CHARS:
            break
    check_text(chars, exact=False)


PLAIN_TYPES = (str, int, float, bool, Decimal, date, datetime, clock_time, UUID)


def is_data(value: object) -> bool:
    """Whether `value` itself (not what it holds) is data: text, a number, a boolean, a date,
    an id, None, a text or number enum, or a list, tuple, set or mapping."""
    if type(value) in _COMMON_DATA:
        return True  # the usual case, without the slower checks of subclasses and ABCs
    if value is None or isinstance(value, PLAIN_TYPES):
        return True
    if isinstance(value, Enum):
        return isinstance(value.value, str | int)
    return isinstance(value, Mapping | list | tuple | set | frozenset)


_COMMON_DATA = frozenset({str, int, float, bool, type(None), dict, list})


def check_data(value: object) -> None:
    """`value` and everything it holds is data. Anything else would print its representation
    (`<bound method … at 0x7f…>`). Call on a value within a size cap: the walk visits every
    item."""
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if not is_data(item):
            raise NotPrintable(
                "cannot print this value: only text, numbers, dates and lists of them can be "
                "printed"
            )
        if isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)


def check_as_text(value: object) -> None:
    """`value` about to be written out as text (printed, `~`, `|upper`…): within the text cap
    (measured before `str()` writes out a nested list) and data only."""
    if isinstance(value, str | Undefined) or type(value) in _SCALARS:
        return  # an Undefined raises the "no value" error once written out
    check_text(size_of(value, MAX_TEXT_CHARS), exact=False)
    check_data(value)


_SCALARS = frozenset({int, float, bool, type(None)})


def check_printable(value: object, max_chars: int) -> None:
    """`value` may be written out by `{{ … }}`: data only, and no longer than `max_chars`
    once printed (checked before `str()` writes out a nested list)."""
    if isinstance(value, str) or type(value) in _SCALARS:
        return
    chars = size_of(value, max_chars)
    if chars > max_chars:
        raise LimitExceeded(f"output longer than {max_chars:,} characters")
    charge(chars)
    check_data(value)
