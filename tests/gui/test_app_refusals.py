"""The desk's start-up shows a file it cannot use in a message box, in the words the command
line prints, and does not start."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk.gui import app
from frontdesk.store.keys import KEY_FILE_NAME


def test_a_key_file_the_desk_cannot_read_is_a_message_box(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "profile"
    (home / KEY_FILE_NAME).mkdir(parents=True)  # a folder where the key file should be
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        app.QMessageBox, "critical", lambda parent, title, text: shown.append((title, text))
    )

    assert app.run_app(str(home)) == 2

    assert shown == [
        (
            "Front Desk",
            f"The desk cannot start: cannot read {home / KEY_FILE_NAME}: it is a folder, not a "
            "file — move the folder away or put the file back",
        )
    ]
