"""Words made in one place and read in another: a message kept as its English original (the
gettext msgid) and its parameters, translated each time it is shown.

A refusal the server gives, a conflict's reason and an alert are made where the language of
the person who reads them is unknown (the server; another desk). They travel and are stored
as `Text.to_wire()` — language-neutral: the msgid is the stable key of the catalogues — and
the reader's desk renders them with `str(text)` in its own language. Mark a message with
`T_("The {name} was not found.", name=...)` (or `nT_` for a count) so the catalogue holds it.

A parameter is plain data shown as it is (a name, a number), a day (written as the reader's
language writes dates), or a `Text` rendered in the reader's language too; a tuple of them
reads as a list."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Union

from frontdesk.i18n.core import _, ngettext

Param = Union[str, int, float, date, "Text", tuple["Param", ...]]

_MARK = "msgid"  # the key that tells a wired Text from other JSON


@dataclass(frozen=True)
class Text:
    msgid: str
    params: Mapping[str, Param] = field(default_factory=dict)
    plural: str | None = None
    """With a plural, `params["count"]` chooses the form."""

    def __str__(self) -> str:
        values = {name: _render(value) for name, value in self.params.items()}
        if self.plural is not None:
            count = self.params.get("count", 1)
            pattern = ngettext(self.msgid, self.plural, count if isinstance(count, int) else 1)
        else:
            pattern = _(self.msgid)
        try:
            return pattern.format(**values)
        except (KeyError, IndexError, ValueError):
            # A translation that names a placeholder the code no longer gives (an old
            # catalogue): the English original still reads whole; and a text that came
            # from elsewhere without its values is shown as written, never raised.
            try:
                return self.msgid.format(**values)
            except (KeyError, IndexError, ValueError):
                return self.msgid

    def english(self) -> str:
        """As written in the code, whatever the active language (for logs)."""
        values = {name: _english(value) for name, value in self.params.items()}
        count = self.params.get("count", 1)
        pattern = self.plural if self.plural is not None and count != 1 else self.msgid
        return pattern.format(**values)

    def to_wire(self) -> dict[str, Any]:
        """JSON-ready and language-neutral: what is sent and stored."""
        wired: dict[str, Any] = {_MARK: self.msgid}
        if self.params:
            wired["params"] = {name: _wire(value) for name, value in self.params.items()}
        if self.plural is not None:
            wired["plural"] = self.plural
        return wired

    @classmethod
    def from_wire(cls, wired: Mapping[str, Any]) -> Text:
        """The inverse of `to_wire` (ValueError for anything else)."""
        msgid = wired.get(_MARK)
        params = wired.get("params", {})
        plural = wired.get("plural")
        if not isinstance(msgid, str) or not isinstance(params, Mapping):
            raise ValueError("not a wired text")
        if plural is not None and not isinstance(plural, str):
            raise ValueError("not a wired text")
        return cls(msgid, {str(k): _unwire(v) for k, v in params.items()}, plural)

    def dumps(self) -> str:
        """For a text column (a conflict's reason, an alert's body)."""
        return json.dumps(self.to_wire(), ensure_ascii=False, sort_keys=True)


def T_(msgid: str, /, **params: Param) -> Text:
    """`msgid` marked for the catalogue, translated when shown (see the module)."""
    return Text(msgid, params)


def nT_(singular: str, plural: str, count: int, /, **params: Param) -> Text:
    """The form for `count` (given to the message as `{count}`), chosen when shown."""
    return Text(singular, {"count": count, **params}, plural)


def shown(stored: str) -> str:
    """A stored text column in the active language: a wired `Text` rendered, anything else
    (a row written before texts travelled, a person's own words) as it is."""
    text = loads(stored)
    return stored if text is None else str(text)


def loads(stored: str) -> Text | None:
    """The `Text` a column holds (`Text.dumps`), or None when it holds plain words."""
    if not stored.startswith("{"):
        return None
    try:
        wired = json.loads(stored)
        return Text.from_wire(wired) if isinstance(wired, dict) else None
    except ValueError:
        return None


def _render(value: Param) -> str | int | float:
    if isinstance(value, Text):
        return str(value)
    if isinstance(value, date):
        from frontdesk.i18n.formats import format_date  # Babel's dates: loaded when shown

        return format_date(value, "dd MMM y")
    if isinstance(value, tuple):
        return "; ".join(str(_render(item)) for item in value)
    return value


def _english(value: Param) -> str | int | float:
    if isinstance(value, Text):
        return value.english()
    if isinstance(value, date):
        return value.strftime("%d %b %Y")
    if isinstance(value, tuple):
        return "; ".join(str(_english(item)) for item in value)
    return value


def _wire(value: Param) -> Any:
    if isinstance(value, Text):
        return value.to_wire()
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, tuple):
        return [_wire(item) for item in value]
    return value


def _unwire(value: Any) -> Param:
    if isinstance(value, Mapping) and set(value) == {"date"}:
        return date.fromisoformat(str(value["date"]))
    if isinstance(value, Mapping):
        return Text.from_wire(value)
    if isinstance(value, list):
        return tuple(_unwire(item) for item in value)
    if isinstance(value, str | int | float):
        return value
    raise ValueError("not a wired text parameter")
