"""A database connection whose writes fail the way SQLite's do (read-only file, full disk...)."""

from __future__ import annotations

import sqlite3


class FailingWrites:
    """A connection whose writes fail with a given SQLite error (reads still work)."""

    def __init__(self, real: sqlite3.Connection, message: str):
        self.real, self.message = real, message

    def execute(self, sql: str, *args):
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "CREATE", "PRAGMA USER_VERSION=")):
            raise sqlite3.OperationalError(self.message)
        return self.real.execute(sql, *args)

    def executemany(self, sql: str, *args):
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise sqlite3.OperationalError(self.message)
        return self.real.executemany(sql, *args)

    def __getattr__(self, name):
        return getattr(self.real, name)
