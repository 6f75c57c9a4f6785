"""Every converted module speaks through the translation mechanism, and Romanian is
complete for what they say.

CONVERTED lists the modules whose every user-visible string goes through `_()`/`ngettext()`:
extend it as each screen is converted, until it covers the desk."""

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
CONVERTED = (
    "cli_demo.py",
    "cli_output.py",
    # the command lines: `frontdesk` and `frontdesk-server`
    "cli.py",
    "cli_global.py",
    "cli_language.py",
    "cli_mirror.py",
    "cli_parser.py",
    "cli_pending.py",
    "cli_rules.py",
    "cli_support.py",
    "cli_sync.py",
    "file_access.py",
    "server/backup.py",
    "server/cli.py",
    "server/cli_backup.py",
    "server/commands.py",
    "server/database.py",
    "server/environment.py",
    "server/pg_programs.py",
    "server/restore.py",
    "system_libraries.py",
    "domain/enums.py",
    "gui/main_window.py",
    "gui/sync_controller.py",
    "gui/preferences.py",
    "gui/theme.py",
    "gui/icons.py",
    "gui/today/page.py",
    "gui/today/model.py",
    "gui/today/lanes.py",
    "gui/today/actions.py",
    "gui/messages.py",
    "gui/first_run.py",
    "gui/patients/columns.py",
    "gui/patients/new_patient.py",
    "gui/patients/page.py",
    "gui/patients/picker.py",
    "gui/patients/profile_editor.py",
    "gui/alerts/alerts_model.py",
    "gui/alerts/conflicts.py",
    "gui/alerts/page.py",
    # Calendar, My sessions, the appointment detail, booking and the small dialogs
    "gui/calendar/page.py",
    "gui/calendar/models.py",
    "gui/sessions/page.py",
    "gui/appointments/detail.py",
    "gui/appointments/history_words.py",
    "gui/appointments/list_widgets.py",
    "gui/appointments/table_model.py",
    "gui/appointments/problem_label.py",
    "gui/appointments/video.py",
    "gui/dialogs/cancel.py",
    "gui/dialogs/override.py",
    "gui/booking/dialog.py",
    # Automations: the screens and the words the rule layer gives them
    "gui/automations/page.py",
    "gui/automations/editor.py",
    "gui/automations/rules_model.py",
    "gui/automations/list_model.py",
    "gui/automations/trigger_settings.py",
    "gui/automations/condition_builder.py",
    "gui/automations/value_editor.py",
    "gui/automations/action_editor.py",
    "gui/automations/action_fields.py",
    "gui/automations/actions_list.py",
    "gui/automations/template_edit.py",
    "gui/automations/catalog_words.py",
    "gui/automations/dry_run_panel.py",
    "gui/automations/sample_event.py",
    "gui/automations/forecast.py",
    "gui/automations/history.py",
    "gui/automations/history_model.py",
    "gui/automations/problem_words.py",
    "gui/automations/details.py",
    "domain/rules/paths.py",
    "domain/rules/schema.py",
    "domain/rules/actions.py",
    "domain/rules/triggers.py",
    "domain/rules/values.py",
    "domain/rules/conditions.py",
    "domain/rules/variables.py",
    "domain/rules/template_trial.py",
    "services/automation_rules.py",
    # Working hours (admin screen)
    "gui/hours/page.py",
    "server/cli_hours.py",
    # Forms, onboarding, settings and the desk's frame (with the form answers' checks)
    "domain/contact.py",
    "domain/form_fields.py",
    "domain/form_signature.py",
    "gui/forms/columns.py",
    "gui/forms/field_editors.py",
    "gui/forms/filler.py",
    "gui/forms/page.py",
    "gui/forms/signature_pad.py",
    "gui/onboarding/wizard.py",
    "gui/settings/devices.py",
    "gui/settings/page.py",
    "gui/app.py",
    "gui/desk.py",
    "gui/operations.py",
    "gui/screens.py",
    # Services set-up
    "gui/services_admin/editor.py",
    "gui/services_admin/model.py",
    "gui/services_admin/page.py",
    "services/service_setup.py",
    # The services' refusals, the domain's and sync's, and alerts (words translated when read)
    "i18n/text.py",
    "domain/errors.py",
    "domain/field_names.py",
    "domain/appointment_states.py",
    "domain/clock.py",
    "domain/contact.py",
    "domain/form_signature.py",
    "domain/write_rules.py",
    "store/guards.py",
    "services/not_found.py",
    "services/access_grants.py",
    "services/alerts.py",
    "services/appointment_records.py",
    "services/booking.py",
    "services/booking_blocks.py",
    "services/calendar.py",
    "services/catalog.py",
    "services/conflicts.py",
    "services/consents.py",
    "services/desk_identity.py",
    "services/executions.py",
    "services/form_views.py",
    "services/forms.py",
    "services/lifecycle.py",
    "services/messages.py",
    "services/onboarding.py",
    "services/organizations.py",
    "services/patients.py",
    "services/permissions.py",
    "services/plans.py",
    "services/profiles.py",
    "services/public_slots.py",
    "services/references.py",
    "services/reviews.py",
    "services/rule_choices.py",
    "services/segments.py",
    "services/settings.py",
    "sync/account.py",
    "sync/transport.py",
    "server/sync_rules.py",
    "server/sync_apply.py",
    "automation/delivery.py",
    "automation/dispatcher.py",
    "automation/template_alerts.py",
    # The last refusals still in English: working hours, services' set-up, the server's own
    "services/hours.py",
    "domain/slots.py",
    "server/public_api.py",
    "server/public_services_api.py",
    "server/config.py",
    "server/passwords.py",
    "server/devices.py",
    "automation/replay.py",
    "automation/samples.py",
    "automation/week_ahead.py",
    "sync/pending_file.py",
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


def test_the_converted_modules_exist_and_say_something() -> None:
    assert all((SOURCE / module).is_file() for module in CONVERTED)
    assert sum(len(_messages(module)) for module in CONVERTED) > 50


@pytest.mark.parametrize("module", CONVERTED)
def test_romanian_translates_every_message_of_a_converted_module(
    module: str, romanian: Catalog
) -> None:
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
        if isinstance(node, ast.Call) and _name(node.func) in SHOWN:
            arguments = [*node.args, *(k.value for k in node.keywords if k.arg != "file")]
            for argument in arguments:
                found += _bare(argument)
    return found


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
    ],
)
def test_the_check_finds_text_that_bypasses_translation(source: str, bare: list[str]) -> None:
    assert bare_texts(source) == bare


@pytest.mark.parametrize("module", CONVERTED)
def test_a_converted_module_shows_no_text_that_bypasses_translation(module: str) -> None:
    path: Path = SOURCE / module
    assert bare_texts(path.read_text(encoding="utf-8")) == []
