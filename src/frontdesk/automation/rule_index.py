"""A pre-filter over the rules of one trigger, so an event evaluates only the rules that can
match it.

Most rules pin a value: `{"patient.city": "Bucharest", …}` or `{"appointment.type": {"in":
[…]}}` at the top level of their conditions. Such a rule can only hold when the context's
value is one of those, so rules are filed under (path, value) and an event looks its values up
instead of evaluating every rule. The filter only ever leaves out rules that certainly fail;
the candidates are still evaluated in full (`domain.rules.evaluate`), which decides and records
the trace. Only text and numbers are filed (they compare by plain equality); a context value of
another kind (a date, a boolean) makes every rule filed under that path a candidate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar

from frontdesk.domain.rules import Operator, RuleDefinition
from frontdesk.domain.rules.conditions import FieldCondition, comparable_kind, resolve

Key = tuple[str, Any]
_FILED_KINDS = frozenset({"str", "num"})


class HasDefinition(Protocol):
    @property
    def definition(self) -> RuleDefinition | None: ...


R = TypeVar("R", bound=HasDefinition)


def _key(value: Any) -> Key | None:
    kind = comparable_kind(value)
    return (kind, value) if kind in _FILED_KINDS else None


def _pinned(definition: RuleDefinition | None) -> tuple[str, list[Key]] | None:
    """(path, values) one of which the rule's context must hold, if its conditions say so."""
    if definition is None:
        return None
    for entry in definition.conditions.entries:
        if not isinstance(entry, FieldCondition):
            continue
        for test in entry.tests:
            if test.op not in (Operator.EQ, Operator.IN):
                continue
            options = test.expected if isinstance(test.expected, tuple) else (test.expected,)
            keys = [_key(option) for option in options]
            if all(key is not None for key in keys):
                return entry.path, [key for key in keys if key is not None]
    return None


class RuleIndex(Generic[R]):
    def __init__(self, rules: Sequence[R]) -> None:
        self.rules = list(rules)
        self._unfiled: list[int] = []
        self._filed: dict[str, dict[Key, list[int]]] = defaultdict(lambda: defaultdict(list))
        self._all_filed: dict[str, list[int]] = defaultdict(list)
        for position, rule in enumerate(self.rules):
            pinned = _pinned(rule.definition)
            if pinned is None:
                self._unfiled.append(position)
                continue
            path, keys = pinned
            self._all_filed[path].append(position)
            for key in keys:
                self._filed[path][key].append(position)

    def candidates(self, context: Mapping[str, Any]) -> list[R]:
        """The rules that may match `context`, in their order."""
        positions = set(self._unfiled)
        for path, table in self._filed.items():
            positions.update(self._lookup(table, path, resolve(context, path)))
        return [self.rules[p] for p in sorted(positions)]

    def _lookup(self, table: dict[Key, list[int]], path: str, actual: Any) -> Iterable[int]:
        if actual is None or actual == "" or actual == []:
            return ()  # a missing value equals nothing
        # On a list, `eq` means "contains" and `in` "shares an element with".
        values = actual if isinstance(actual, list | tuple | set | frozenset) else (actual,)
        found: list[int] = []
        for value in values:
            key = _key(value)
            if key is None:
                return self._all_filed[path]
            found.extend(table.get(key, ()))
        return found
