"""Shared pytest fixtures: the local servers live in tests/servers/, one module each."""

pytest_plugins = [
    "tests.servers.feeds",
    "tests.servers.botapi",
    "tests.servers.translate",
    "tests.servers.postgres",
]
