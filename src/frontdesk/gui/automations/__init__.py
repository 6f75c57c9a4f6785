"""The admin's automations: the rule list, the rule editor with its test panel and forecast,
and the execution history."""
