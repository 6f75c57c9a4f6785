"""The calendar: month, week and day."""
