"""The central FastAPI server."""
