"""A `reset` page (the desk's scope changed) first forgets the organization's rows the desk
held under its old scope, keeping the organization itself, rows with changes still to push
and other organizations' rows."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select

from frontdesk.store.mirror import open_mirror
from frontdesk.store.models import Organization, OutboxMutation, Segment
from frontdesk.store.profile import Profile
from frontdesk.sync.apply import PulledPage, TableRows, apply_page


def _page(*, reset: bool) -> PulledPage:
    return PulledPage(
        cursor="1.1",
        scope="specialist:",
        more=False,
        version=1,
        reset=reset,
        rows={},
        removed={},
        users=TableRows([], []),
    )


def test_a_reset_page_forgets_the_old_scope_but_not_unpushed_changes(tmp_path: Path) -> None:
    mirror = open_mirror(Profile.resolve(tmp_path / "desk"))
    ours, theirs = uuid.uuid4(), uuid.uuid4()
    with mirror.sessions.begin() as session:
        session.add_all(
            [
                Organization(id=ours, slug="ours", name="Ours"),
                Organization(id=theirs, slug="theirs", name="Theirs"),
            ]
        )
        session.flush()
        kept, forgotten, elsewhere = (
            Segment(organization_id=ours, name="Edited here"),
            Segment(organization_id=ours, name="Old scope"),
            Segment(organization_id=theirs, name="Another clinic"),
        )
        session.add_all([kept, forgotten, elsewhere])
        session.flush()
        session.add(
            OutboxMutation(
                device_id=uuid.uuid4(),
                device_seq=1,
                organization_id=ours,
                table_name="segments",
                row_id=kept.id,
                operation="update",
                changed={"name": "Edited here"},
            )
        )
    ids = {kept.id, forgotten.id, elsewhere.id}

    apply_page(mirror.engine, _page(reset=False), ours)
    with mirror.sessions() as session:
        assert set(session.scalars(select(Segment.id))) == ids  # an ordinary page forgets nothing

    apply_page(mirror.engine, _page(reset=True), ours)
    with mirror.sessions() as session:
        assert set(session.scalars(select(Segment.id))) == {kept.id, elsewhere.id}
        assert set(session.scalars(select(Organization.id))) == {ours, theirs}
    mirror.close()
