"""A fingerprint of everything a service may write, to prove a refused call wrote nothing."""

from __future__ import annotations

import functools

from sqlalchemy import CompoundSelect, func, literal, select, union_all
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.store.base import Base


@functools.cache
def _fingerprint_query() -> CompoundSelect:
    parts = []
    for mapped in Base.metadata.sorted_tables:
        parts.append(select(literal(mapped.name), func.count()).select_from(mapped))
        if "row_version" in mapped.c:
            total = func.coalesce(func.sum(mapped.c.row_version), 0)
            parts.append(select(literal(f"{mapped.name}.row_version"), total))
    return union_all(*parts)


def fingerprint(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Row count of every table and the sum of row versions where rows have one (an UPDATE
    through the ORM bumps it), so any write shows. One query: property tests take many."""
    with sessions() as session:
        return {name: int(value) for name, value in session.execute(_fingerprint_query())}
