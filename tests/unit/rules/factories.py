"""Small rule documents for the rules tests, and a helper to read refusals by path."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from frontdesk.domain.errors import InvalidInput
from tests.support.repository import EXAMPLES_DIR


def example_paths() -> list[Path]:
    return sorted(EXAMPLES_DIR.glob("*.json"))


def load_example(number: int) -> dict[str, Any]:
    (path,) = EXAMPLES_DIR.glob(f"{number:02d}_*.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def rule_doc(**overrides: Any) -> dict[str, Any]:
    """A valid `patient.onboarded` rule with one e-mail action, keys replaced by `overrides`."""
    doc: dict[str, Any] = {
        "name": "Welcome",
        "trigger_event": "patient.onboarded",
        "actions": [{"type": "send_email", "email_template": "welcome_patient"}],
    }
    doc.update(copy.deepcopy(overrides))
    return doc


def with_action(action: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return rule_doc(actions=[action], **overrides)


def errors_of(excinfo: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    """field → message of every error a refusal carries."""
    return {error.field: error.message for error in excinfo.value.errors}
