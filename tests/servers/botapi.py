"""Local test server (being written)."""
