"""ChangeSet: what one service call changed, so a screen refreshes only that."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class ChangeSet:
    created: dict[str, set[uuid.UUID]] = field(default_factory=lambda: defaultdict(set))
    updated: dict[str, set[uuid.UUID]] = field(default_factory=lambda: defaultdict(set))
    events: list[str] = field(default_factory=list)

    def touched(self, table: str) -> bool:
        return bool(self.created.get(table) or self.updated.get(table))

    def ids(self, table: str) -> set[uuid.UUID]:
        return set(self.created.get(table, ())) | set(self.updated.get(table, ()))

    def merge(self, other: ChangeSet) -> ChangeSet:
        for table, ids in other.created.items():
            self.created[table] |= ids
        for table, ids in other.updated.items():
            self.updated[table] |= ids
        self.events.extend(other.events)
        return self

    def __bool__(self) -> bool:
        return bool(self.created or self.updated or self.events)
