"""Use cases. A call is one transaction and returns what it changed."""
