"""Signing a form: what a signer must give, and the content hash that seals a signed form.

The hash is SHA-256 over a canonical JSON document (sorted keys, no insignificant whitespace,
UTF-8). Numbers are canonical too: a whole float is written as an integer, because a JSON store
may hand back 3.0 as 3 (PostgreSQL's jsonb does) and the seal must survive a round trip."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from typing import Any

from frontdesk.domain.errors import FieldError, InvalidInput
from frontdesk.domain.field_names import too_long
from frontdesk.i18n.text import T_

SIGNER_NAME_MAX = 200
SIGNATURE_SVG_MAX_CHARS = 256_000
# An SVG may carry script; a signature never needs one, and some viewers would run it.
_ACTIVE_CONTENT = re.compile(r"<\s*script|javascript:|\son[a-z]+\s*=", re.IGNORECASE)


def check_signature_input(signer_name: Any, signature_svg: Any) -> tuple[str, str]:
    """The trimmed signer name and signature, or InvalidInput naming each bad one."""
    errors: list[FieldError] = []
    name = signer_name.strip() if isinstance(signer_name, str) else ""
    if not name:
        errors.append(FieldError("signer_name", T_("Type the signer's name.")))
    elif len(name) > SIGNER_NAME_MAX:
        errors.append(FieldError("signer_name", too_long("signer_name", SIGNER_NAME_MAX)))
    svg = signature_svg.strip() if isinstance(signature_svg, str) else ""
    if "<svg" not in svg[:500] or not svg.endswith("</svg>"):
        errors.append(
            FieldError("signature_svg", T_("Sign in the box, with the mouse, a finger or a pen."))
        )
    elif len(svg) > SIGNATURE_SVG_MAX_CHARS:
        errors.append(
            FieldError(
                "signature_svg", T_("The signature is too detailed: clear it and sign again.")
            )
        )
    elif _ACTIVE_CONTENT.search(svg):
        errors.append(
            FieldError("signature_svg", T_("The signature holds more than a drawing: sign again."))
        )

    if errors:
        raise InvalidInput(errors)
    return name, svg


def canonical_json(document: Any) -> bytes:
    """One byte string per meaning: the same document always serialises the same way."""
    return json.dumps(
        _canonical(document), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def _canonical(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    raise TypeError(f"cannot seal a {type(value).__name__} in a form's content hash")


def content_hash(document: Mapping[str, Any]) -> str:
    """The hex SHA-256 of the canonical document."""
    return hashlib.sha256(canonical_json(document)).hexdigest()


def hash_matches(document: Mapping[str, Any], recorded: str | None) -> bool:
    """Whether `recorded` is this document's hash (compared in constant time)."""
    return recorded is not None and hmac.compare_digest(content_hash(document), recorded)
