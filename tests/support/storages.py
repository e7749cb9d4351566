"""The storage suite on both backends: `make_storage` opens the test's database (again) as SQLiteStorage on a
file, or as PostgresStorage on a fresh database of the throw-away server, and runs statements on it directly
the way a bad disk block or an old release would have written them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.storage.postgres import PostgresStorage
from bot.storage.sqlite import SQLiteStorage

AnyStorage = SQLiteStorage | PostgresStorage


class StorageMaker:
    """Opens the test's one database; `sql` runs a statement on it (`?` placeholders on both backends)."""

    def __init__(self, name: str, opener: Callable[[Callable[[], float]], AnyStorage]):
        self.name, self._opener = name, opener
        self.opened: list[AnyStorage] = []

    def __call__(self, clock: Callable[[], float] = time.time) -> AnyStorage:
        storage = self._opener(clock)
        self.opened.append(storage)
        return storage

    @property
    def postgres(self) -> bool:
        """True for the PostgreSQL backend."""
        return self.name == "postgres"

    def sql(self, storage: AnyStorage, statement: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement straight on the storage's connection; its rows (none for a write)."""
        if isinstance(storage, PostgresStorage):
            cursor = storage.db.execute(statement.replace("?", "%s"), args)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []
        return storage.db.execute(statement, args).fetchall()

    def close_all(self) -> None:
        """Close every storage the test opened (and so give back the PostgreSQL locks)."""
        for storage in self.opened:
            storage.close()


@pytest.fixture(params=["sqlite", "postgres"])
def make_storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StorageMaker]:
    """Opens this test's database, on SQLite and (a second run) on PostgreSQL."""
    if request.param == "sqlite":
        maker = StorageMaker("sqlite", lambda clock: SQLiteStorage(tmp_path / "x.sqlite3", clock=clock))
    else:
        url = request.getfixturevalue("postgres_url")
        maker = StorageMaker("postgres", lambda clock: PostgresStorage(url, clock=clock))
    yield maker
    maker.close_all()
