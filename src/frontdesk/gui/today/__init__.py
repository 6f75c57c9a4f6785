"""Today: the flow board of the day's appointments."""
