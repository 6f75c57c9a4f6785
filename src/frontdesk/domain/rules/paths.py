"""JSON paths in error messages: `actions[2].form_template_id`, `conditions.any[0].patient.age`.

Pydantic reports locations as tuples and adds the tag of a discriminated union as a segment
(`('actions', 2, 'require_form', 'form_template_id')`); users never typed that tag, so it is
dropped. Validators that check a whole sub-document (conditions, trigger settings) report
several errors at once through one `nested_invalid` error whose context carries
(relative path, message) pairs; they are expanded here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from frontdesk.domain.errors import FieldError
from frontdesk.i18n import N_, _, ngettext

NESTED_ERROR = "nested_invalid"
ROOT = "rule"
"""The path used for an error about the document as a whole."""


def join_path(base: str, *segments: str | int) -> str:
    """`join_path("actions", 2, "type")` → `actions[2].type`; empty parts are skipped."""
    path = base
    for segment in segments:
        if isinstance(segment, int):
            path = f"{path}[{segment}]"
        elif segment == "":
            continue
        elif segment.startswith("[") or not path:
            path = f"{path}{segment}"
        else:
            path = f"{path}.{segment}"
    return path


def nested_error(errors: Sequence[FieldError]) -> PydanticCustomError:
    """One pydantic error carrying several errors of a sub-document, paths relative to it."""
    detail = "; ".join(str(e) if e.field else e.message for e in errors)
    pairs = tuple((e.field, e.message) for e in errors)
    return PydanticCustomError(NESTED_ERROR, "{detail}", {"detail": detail, "errors": pairs})


def custom_error(kind: str, message: str) -> PydanticCustomError:
    """A pydantic error whose message is taken literally (braces and all)."""
    return PydanticCustomError(kind, "{detail}", {"detail": message})


def field_errors(
    error: ValidationError, *, tags: Collection[str] = (), root: str = ROOT
) -> list[FieldError]:
    """Pydantic's errors as FieldErrors with JSON paths, tags of `tags` stripped. An error
    about the whole document is reported at `root`."""
    result: list[FieldError] = []
    for detail in error.errors(include_url=False):
        path = join_path("", *_segments(detail["loc"], tags))
        if detail["type"] == NESTED_ERROR:
            pairs: Iterable[tuple[str, str]] = detail.get("ctx", {})["errors"]
            result.extend(FieldError(join_path(path, sub) or root, msg) for sub, msg in pairs)
            continue
        if detail["type"] in {"union_tag_invalid", "union_tag_not_found"}:
            path = join_path(path, "type")
        result.append(FieldError(path or root, humanize(detail)))
    return result


def _segments(loc: tuple[int | str, ...], tags: Collection[str]) -> list[int | str]:
    kept: list[int | str] = []
    for index, segment in enumerate(loc):
        after_item = index > 0 and (isinstance(loc[index - 1], int) or loc[index - 1] == "action")
        if after_item and isinstance(segment, str) and segment in tags:
            continue
        if segment == "[key]":
            continue  # pydantic's marker for "the key itself is wrong"; the message says so
        kept.append(segment)
    return kept


def humanize(detail: ErrorDetails) -> str:
    """Pydantic's message, reworded where its wording would puzzle a clinic admin."""
    kind = detail["type"]
    ctx: dict[str, Any] = dict(detail.get("ctx") or {})
    if "detail" in ctx:
        return detail["msg"]  # one of ours (custom_error): already worded for people
    if kind == "literal_error":  # pydantic joins the last two choices with an English "or"
        ctx["expected"] = str(ctx["expected"]).replace(" or ", " " + _("or") + " ")
    simple = _SIMPLE.get(kind)
    if simple is not None:
        return _(simple).format(**ctx)
    if kind in {"too_short", "too_long"}:
        count = ctx["min_length" if kind == "too_short" else "max_length"]
        return _items(kind, count)
    if kind == "string_too_short":
        return _("must not be empty") if ctx.get("min_length") == 1 else detail["msg"]
    if kind == "value_error":
        return detail["msg"].removeprefix("Value error, ")
    message = detail["msg"]
    return message[:1].lower() + message[1:]


_SIMPLE: dict[str, str] = {
    "missing": N_("is required"),
    "extra_forbidden": N_("unknown key"),
    "int_type": N_("must be a whole number"),
    "int_parsing": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "bool_type": N_("must be true or false"),
    "bool_parsing": N_("must be true or false"),
    "string_type": N_("must be text"),
    "list_type": N_("must be a list"),
    "dict_type": N_("must be an object"),
    "model_type": N_("must be an object"),
    "model_attributes_type": N_("must be an object"),
    "literal_error": N_("must be {expected}"),
    "greater_than": N_("must be greater than {gt}"),
    "greater_than_equal": N_("must be at least {ge}"),
    "less_than": N_("must be less than {lt}"),
    "less_than_equal": N_("must be at most {le}"),
    "string_too_long": N_("must be at most {max_length} characters"),
    "union_tag_invalid": N_("unknown action type {tag!r}"),
    "union_tag_not_found": N_("is required"),
    "timezone_aware": N_("must include a time zone (e.g. 2026-03-01T09:00+02:00)"),
    "datetime_parsing": N_("must be an ISO date and time (e.g. 2026-03-01T09:00+02:00)"),
    "datetime_type": N_("must be an ISO date and time (e.g. 2026-03-01T09:00+02:00)"),
    "datetime_from_date_parsing": N_("must be an ISO date and time (e.g. 2026-03-01T09:00+02:00)"),
}


def _items(kind: str, count: int) -> str:
    if kind == "too_short":
        text = ngettext(
            "must have at least {count} item", "must have at least {count} items", count
        )
    else:
        text = ngettext("must have at most {count} item", "must have at most {count} items", count)
    return text.format(count=count)
