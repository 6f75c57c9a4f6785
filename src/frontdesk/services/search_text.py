"""The desk's search boxes: one way to read what was typed and match it in SQL."""

from __future__ import annotations

from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.field_names import not_text, too_long

SEARCH_TEXT_MAX = 100


def search_words(text: str, *, field: str = "text") -> list[str]:
    """The words typed, lower-cased. Every word must match somewhere for a row to be found.
    SQLite's lower() folds ASCII letters only; folding the words the same way keeps the
    comparison in step on both sides."""
    if not isinstance(text, str):
        raise InvalidInput.single(field, not_text(field))
    if len(text) > SEARCH_TEXT_MAX:
        raise InvalidInput.single(field, too_long(field, SEARCH_TEXT_MAX))
    return [word.lower() for word in text.split()]


LIKE_ESCAPE = "\\"


def contains_pattern(word: str) -> str:
    """A LIKE pattern (with LIKE_ESCAPE) matching text that contains `word` literally."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
