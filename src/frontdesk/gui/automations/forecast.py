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

FORECAST_DAYS = 7
SUBJECT_WORDS = {
    "appointment": "reminder for an appointment",
    "organization": "run for every patient",
    "patient": "for a patient's date",
}


class ForecastView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(f"Time-based rules over the next {FORECAST_DAYS} days", self)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("forecast")
        self.tree.setHeaderLabels(["Rule / when", "Trigger"])
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
                    QTreeWidgetItem(item, [f"{firing.at_local:%a %d %b %Y, %H:%M}", ""])
                total += len(firings)
            else:
                note = "fires for each appointment or record on its own date"
                QTreeWidgetItem(item, [note, ""])
        if not self.tree.topLevelItemCount():
            QTreeWidgetItem(self.tree, ["No time-based rule.", ""])
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
            count = f"{len(planned)} firing(s)" if planned else "nothing planned"
            words = trigger_label(triggers.get(name, planned[0].trigger if planned else ""))
            item = QTreeWidgetItem(self.tree, [name, f"{words} · {count}"])
            for firing in planned:
                when = f"{firing.at_local:%a %d %b %Y, %H:%M}"
                QTreeWidgetItem(item, [when, SUBJECT_WORDS.get(firing.subject_type, "")])
        if not self.tree.topLevelItemCount():
            QTreeWidgetItem(self.tree, ["No time-based rule is enabled.", ""])
        self.tree.expandAll()
        return len(firings)
