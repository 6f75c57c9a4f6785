"""The catalogues hold every message the code marks: `scripts/i18n.py --check` passes (run
`python3 scripts/i18n.py` after changing a message, then translate what is new)."""

from __future__ import annotations

import subprocess
import sys

from tests.support.repository import REPOSITORY as PROJECT_ROOT


def test_the_catalogues_are_up_to_date_with_the_code() -> None:
    checked = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "i18n.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
