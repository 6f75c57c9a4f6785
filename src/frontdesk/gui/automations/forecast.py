"""What time-based rules will fire in the next 7 days, in the organization's local time.

The page lists the saved rules' planned firings (`automation.week_ahead`: each daily run, each
appointment's reminder, each birthday). The editor forecasts the rule being edited, not yet
saved, from the clock alone (`domain.rules.forecast`): daily and weekly rules; rules that fire
relative to records get a note, since their firings depend on the data of the day."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from frontdesk.automation.week_ahead import PlannedFiring
from frontdesk.domain.rules import RuleDefinition, forecast
from frontdesk.gui.automations.catalog_words import FORECASTABLE, TIME_BASED, trigger_label
from frontdesk.i18n import N_, _, ngettext
from frontdesk.i18n.formats import format_datetime

FORECAST_DAYS = 7
SUBJECT_WORDS = {
    "appointment": N_("reminder for an appointment"),
    "organization": N_("run for every patient"),
    "patient": N_("for a patient's date"),
}
WHEN = "EEE dd MMM y, HH:mm"
"""A firing's moment: "Tue 03 Mar 2026, 09:00" ("mar. 03 mar. 2026, 09:00")."""


class ForecastView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(
            ngettext(
                "Time-based rules over the next {count} day",
                "Time-based rules over the next {count} days",
                FORECAST_DAYS,
            ).format(count=FORECAST_DAYS),
            self,
        )
        self.title.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("forecast")
        self.tree.setAccessibleName(_("When time-based rules will run"))
        self.tree.setHeaderLabels([_("Rule / when"), _("Trigger")])
        self.tree.setColumnWidth(0, 360)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.tree)

    def show_rules(self, rules: list[RuleDefinition], start: datetime, timezone: str) -> int:
        """Fill the view; the number of firings listed."""
        self.tree.clear()
        total = 0
        for rule in rules:
            trigger = rule.trigger_event.value
            if trigger not in TIME_BASED:
                continue
            item = QTreeWidgetItem(self.tree, [rule.name, trigger_label(trigger)])
            if trigger in FORECASTABLE:
                firings = forecast(rule, start, FORECAST_DAYS, timezone)
                for firing in firings:
                    QTreeWidgetItem(item, [format_datetime(firing.at_local, WHEN), ""])
                total += len(firings)
            else:
                note = _("runs for each appointment or record on its own date")
                QTreeWidgetItem(item, [note, ""])
        if not self.tree.topLevelItemCount():
            QTreeWidgetItem(self.tree, [_("No time-based rule."), ""])
        self.tree.expandAll()
        return total

    def show_planned(self, rules: list[tuple[str, str]], firings: list[PlannedFiring]) -> int:
        """Fill the view with saved rules' planned firings; `rules` are the enabled time-based
        rules as (name, trigger), listed even when nothing is planned for them."""
        self.tree.clear()
        by_rule: dict[str, list[PlannedFiring]] = {name: [] for name, _ in rules}
        for firing in firings:
            by_rule.setdefault(firing.rule_name, []).append(firing)
        triggers = dict(rules)
        for name, planned in sorted(by_rule.items()):
            runs = len(planned)
            count = (
                ngettext("{count} run", "{count} runs", runs).format(count=runs)
                if planned
                else _("nothing planned")
            )
            words = trigger_label(triggers.get(name, planned[0].trigger if planned else ""))
            item = QTreeWidgetItem(self.tree, [name, f"{words} · {count}"])
            for firing in planned:
                when = format_datetime(firing.at_local, WHEN)
                subject = SUBJECT_WORDS.get(firing.subject_type)
                QTreeWidgetItem(item, [when, _(subject) if subject else ""])
        if not self.tree.topLevelItemCount():
            QTreeWidgetItem(self.tree, [_("No time-based rule is enabled."), ""])
        self.tree.expandAll()
        return len(firings)
