"""Every module of the desk speaks through the translation mechanism, and Romanian is
complete for what they say: a text handed straight to a widget, a dialog or `print` fails,
and so does a message without its Romanian."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po

from frontdesk.i18n.catalogs import catalog_path
from tests.support.repository import REPOSITORY as PROJECT_ROOT

SOURCE = PROJECT_ROOT / "src" / "frontdesk"
# What only developers or a container's health check read stays English (decisions: "Every
# module is checked"); log lines are left out by the check itself.
FOR_DEVELOPERS = ("server/migrate.py", "server/probe.py")
MODULES = tuple(
    module
    for module in sorted(str(path.relative_to(SOURCE)) for path in SOURCE.rglob("*.py"))
    if module not in FOR_DEVELOPERS
)
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "T_": None, "nT_": (1, 2)}

# Calls whose text arguments a person reads (Qt widgets and the command line's print).
SHOWN = {
    "setText",
    "QLabel",
    "QPushButton",
    "QCheckBox",
    "QRadioButton",
    "QGroupBox",
    "QListWidgetItem",
    "QAction",
    "addRow",
    "addItem",
    "addAction",
    "addMenu",
    "addTab",
    "setTabText",
    "setTitle",
    "setWindowTitle",
    "setToolTip",
    "setStatusTip",
    "setWhatsThis",
    "setPlaceholderText",
    "setAccessibleName",
    "setAccessibleDescription",
    "setHeaderLabels",
    "showMessage",
    "critical",
    "warning",
    "information",
    "question",
    "print",
}
_TAG = re.compile(r"<[^>]*>")
_LETTER = re.compile(r"[^\W\d_]")
_PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


def _messages(module: str) -> list[tuple[str, ...]]:
    found = extract_from_file("python", SOURCE / module, keywords=KEYWORDS)
    return [(m,) if isinstance(m, str) else tuple(m) for _line, m, _comments, _ctx in found]


@pytest.fixture(scope="module")
def romanian() -> Catalog:
    with catalog_path("ro").open("rb") as source:
        return read_po(source, locale="ro")


def test_every_module_is_checked_and_they_say_something() -> None:
    assert len(MODULES) > 250
    assert all((SOURCE / module).is_file() for module in FOR_DEVELOPERS)
    assert sum(len(_messages(module)) for module in MODULES) > 1000


@pytest.mark.parametrize("module", MODULES)
def test_romanian_translates_every_message_of_every_module(module: str, romanian: Catalog) -> None:
    problems = []
    for ids in _messages(module):
        entry = romanian.get(ids[0])
        problem = _problem(entry, ids, romanian.num_plurals)
        if problem:
            problems.append(f"{ids[0]!r}: {problem}")
    assert not problems, f"{module}: " + "; ".join(problems)


def _problem(entry: Message | None, ids: tuple[str, ...], plurals: int) -> str | None:
    if entry is None:
        return "missing (run scripts/i18n.py)"
    if entry.fuzzy:
        return "fuzzy: check the translation and remove the mark"
    strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    if len(ids) > 1 and len(strings) != plurals:
        return f"needs {plurals} plural forms"
    if not all(strings):
        return "untranslated"
    wanted = set(_PLACEHOLDER.findall(ids[-1]))
    for text in strings:
        if set(_PLACEHOLDER.findall(text)) != wanted:
            return f"placeholders differ: {text!r}"
        if ids[0].count("&") != text.count("&"):
            return f"keep one mnemonic (&): {text!r}"
    return None


def test_romanian_has_three_plural_forms(romanian: Catalog) -> None:
    assert romanian.num_plurals == 3


def bare_texts(source: str) -> list[str]:
    """The text literals in `source` handed straight to a call that shows them."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _name(node.func) in SHOWN and not _logs(node.func):
            arguments = [*node.args, *(k.value for k in node.keywords if k.arg != "file")]
            for argument in arguments:
                found += _bare(argument)
    return found


def _logs(func: ast.expr) -> bool:
    """A log line (`_log.warning(...)`): read by operators, in English, not by the desk's user."""
    owner = func.value if isinstance(func, ast.Attribute) else None
    return isinstance(owner, ast.Name) and owner.id in {"_log", "log", "logger", "_logger"}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _bare(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if _LETTER.search(_TAG.sub("", node.value)) else []
    if isinstance(node, ast.JoinedStr):
        words = "".join(
            part.value
            for part in node.values
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
        return [ast.unparse(node)] if _LETTER.search(_TAG.sub("", words)) else []
    if isinstance(node, ast.IfExp):
        return _bare(node.body) + _bare(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [text for value in node.values for text in _bare(value)]
    if isinstance(node, ast.BinOp):
        return _bare(node.left) + _bare(node.right)
    # "text {x}".format(...) or ", ".join(...): the text itself is still bare
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return _bare(node.func.value)
    return []


@pytest.mark.parametrize(
    ("source", "bare"),
    [
        ('label.setText("Hello")', ["Hello"]),
        ('label.setText(_("Hello"))', []),
        ('print(f"Today, {day}:")', ["f'Today, {day}:'"]),
        ('print(table if rows else "nothing today")', ["nothing today"]),
        ('QPushButton("Save " + name)', ["Save "]),
        ('box.setTitle("{lane} ({count})".format(lane=a, count=b))', ["{lane} ({count})"]),
        ('box.setTitle(_("{lane} ({count})").format(lane=a, count=b))', []),
        ('title.setText(f"<h2>{heading}</h2>")', []),
        ('item.setToolTip("–")', []),
        ('print(_("error"), file=sys.stderr)', []),
        ('print(ngettext("a day", "{n} days", n).format(n=n))', []),
        ('_log.warning("sync round failed: %s", error)', []),
        ('QMessageBox.warning(self, "Careful", text)', ["Careful"]),
    ],
)
def test_the_check_finds_text_that_bypasses_translation(source: str, bare: list[str]) -> None:
    assert bare_texts(source) == bare


@pytest.mark.parametrize("module", MODULES)
def test_no_module_shows_text_that_bypasses_translation(module: str) -> None:
    path: Path = SOURCE / module
    assert bare_texts(path.read_text(encoding="utf-8")) == []
