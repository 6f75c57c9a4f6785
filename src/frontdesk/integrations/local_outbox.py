"""A JSON-lines file standing in for a provider: what the desk would have sent, readable by
people and tests, with no account anywhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from frontdesk.integrations.errors import TemporaryError
from frontdesk.private_files import append_private_text


def append_record(path: Path, record: dict[str, Any]) -> None:
    """Append one JSON line to a file only this user may read (it holds phone numbers and
    names); a full disk or missing permission is worth retrying later."""
    try:
        append_private_text(path, json.dumps(record, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise TemporaryError(f"cannot write {path}: {exc}") from exc
