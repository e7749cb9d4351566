"""Copies of the SQLite database, for `crampbot backup` and `crampbot restore`.

A backup is SQLite's online backup API reading one snapshot of the database (what the write-ahead log
holds included) while the bot goes on writing. It is written beside the target under a temporary name,
checked, and only then given the target's name, never over an existing file. It is one file (no
write-ahead log of its own).

A restore runs only while no bot holds the data folder (bot.storage.data_lock), and keeps that lock
until it is done. It copies the backup into the data folder, checks the copy is a sound CrampBot
database of a schema this version knows (SQLite's quick_check, then the tables and columns that
schema's steps in MIGRATIONS make), renames the database it replaces, with its write-ahead log, to a
time-stamped name beside it, and puts the copy in its place, owned by the data folder's owner (when
run as root) and readable by it alone. The bot's next start upgrades it."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from bot.storage import StorageError
from bot.storage.data_lock import hold_data_folder
from bot.storage.sqlite import MIGRATIONS, SCHEMA_VERSION

KEPT_SUFFIX = ".before-restore-"  # crampbot.sqlite3.before-restore-20261206-031500
_SIDE_FILES = ("", "-wal", "-shm")  # a database and the files SQLite keeps beside it in WAL mode


@dataclass(frozen=True)
class Copy:
    """A database file written by backup or restore: where, how many bytes, which schema."""

    path: Path
    size: int
    schema: int


@dataclass(frozen=True)
class Restored:
    """What a restore did: the database now in place, and where the one it replaced was kept (if any)."""

    database: Copy
    kept: Path | None


def backup(database: Path, target: Path) -> Copy:
    """Copy the database, as it is at this moment, to `target` (a new file); StorageError in plain words
    when it cannot (the target exists, the database cannot be read, the disk is full...)."""
    if target.exists():
        raise StorageError(f"{target} already exists; give a new file name (a backup never overwrites)")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        schema = _copy(database, partial)
        os.chmod(partial, 0o600)  # as private as the database
        try:
            os.link(partial, target)  # fails if the target appeared meanwhile: never overwritten
        except FileExistsError:
            raise StorageError(f"{target} already exists; give a new file name (a backup never overwrites)") from None
        except OSError:  # a file system without hard links
            if target.exists():
                raise StorageError(f"{target} already exists; give a new file name") from None
            os.replace(partial, target)
        return Copy(target, target.stat().st_size, schema)
    except OSError as exc:
        raise StorageError(f"cannot write the backup {target}: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()


def restore(source: Path, database: Path, now: float | None = None) -> Restored:
    """Put a copy of the backup `source` in place of `database`, keeping the database it replaces beside it;
    StorageError (or data_lock.AlreadyRunning while a bot runs on the data folder) when it cannot, with the
    current database left as it was."""
    folder = database.parent
    if source.resolve() in {(folder / f"{database.name}{side}").resolve() for side in _SIDE_FILES}:
        raise StorageError(f"{source} is the database itself; restore from a backup copy")
    lock = hold_data_folder(folder, wait=0)
    try:
        incoming = folder / f"{database.name}.restoring"
        try:
            schema = _copy(source, incoming)
            _check_known_schema(incoming, schema, source)
            _owned_like(incoming, folder)
            kept = _keep_aside(database, time.time() if now is None else now)
            os.replace(incoming, database)
        except OSError as exc:
            raise StorageError(f"cannot restore into {database}: {exc.strerror or exc}") from exc
        finally:
            with contextlib.suppress(OSError):
                incoming.unlink()
        return Restored(Copy(database, database.stat().st_size, schema), kept)
    finally:
        if lock is not None:
            lock.close()


def _copy(source: Path, target: Path) -> int:
    """Copy `source` to a new one-file database `target` with the online backup API, check the copy with
    quick_check, and return its schema version (target is left for the caller to remove on failure)."""
    if not source.is_file():
        raise StorageError(f"there is no database file at {source}")
    with contextlib.suppress(FileNotFoundError):
        target.unlink()  # a copy left by an interrupted run
    try:
        reader = sqlite3.connect(f"file:{quote(str(source.resolve()))}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as exc:
        raise StorageError(f"cannot read {source}: {exc}") from exc
    try:
        writer = sqlite3.connect(target)
        try:
            reader.backup(writer)  # all pages in one step: one snapshot, and writers are never blocked (WAL)
            writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            problems = [row[0] for row in writer.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise StorageError(f"{source} is damaged (quick_check: {'; '.join(problems)[:300]})")
            return int(writer.execute("PRAGMA user_version").fetchone()[0])
        finally:
            writer.close()
    except sqlite3.DatabaseError as exc:
        if exc.sqlite_errorcode == sqlite3.SQLITE_NOTADB:
            raise StorageError(f"{source} is not a SQLite database") from exc
        if exc.sqlite_errorcode == sqlite3.SQLITE_CORRUPT:
            raise StorageError(f"{source} is damaged ({exc})") from exc
        raise StorageError(f"cannot copy {source}: {exc}") from exc
    finally:
        reader.close()


def _check_known_schema(copy: Path, schema: int, source: Path) -> None:
    """Refuse a copy whose schema number is not one this CrampBot knows, or whose tables and columns are
    not the ones that schema's migration steps make."""
    if not 1 <= schema <= SCHEMA_VERSION:
        newer = " (written by a newer CrampBot?)" if schema > SCHEMA_VERSION else ""
        raise StorageError(f"{source} is not a CrampBot database of a known schema: its schema is {schema}, "
                           f"this CrampBot knows 1 to {SCHEMA_VERSION}{newer}")
    expected = sqlite3.connect(":memory:")
    try:
        for version, step in MIGRATIONS:
            if version <= schema:
                step(expected, 0.0)
        want = _columns(expected)
    finally:
        expected.close()
    found = _columns(sqlite3.connect(copy))
    if found != want:
        missing = sorted(f"{t}.{c}" for t, cols in want.items() for c in cols - found.get(t, set()))
        extra = sorted(f"{t}.{c}" for t, cols in found.items() for c in cols - want.get(t, set()))
        raise StorageError(f"{source} is not a CrampBot database of schema {schema}: "
                           + "; ".join(part for part in (f"missing {', '.join(missing)}" if missing else "",
                                                         f"not ours {', '.join(extra)}" if extra else "") if part))


def _columns(db: sqlite3.Connection) -> dict[str, set[str]]:
    """Each table's column names (SQLite's own tables left out); closes `db`."""
    try:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                               "AND name NOT LIKE 'sqlite_%'")]
        return {table: {row[0] for row in db.execute("SELECT name FROM pragma_table_info(?)", (table,))}
                for table in tables}
    finally:
        db.close()


def _owned_like(path: Path, folder: Path) -> None:
    """Readable and writable by the data folder's owner only: run as root (to restore into a systemd or
    Docker service's folder, say), the file is given to the folder's owner, so the bot can write it."""
    os.chmod(path, 0o600)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        owner = folder.stat()
        os.chown(path, owner.st_uid, owner.st_gid)


def _keep_aside(database: Path, now: float) -> Path | None:
    """Rename the database and its write-ahead log files to a time-stamped name beside it (SQLite opens
    the renamed copy with its own log); None when there was no database."""
    if not any(Path(f"{database}{side}").exists() for side in _SIDE_FILES):
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now))
    kept = database.with_name(f"{database.name}{KEPT_SUFFIX}{stamp}")
    n = 1
    while any(Path(f"{kept}{side}").exists() for side in _SIDE_FILES):
        n += 1
        kept = database.with_name(f"{database.name}{KEPT_SUFFIX}{stamp}-{n}")
    for side in _SIDE_FILES:
        if Path(f"{database}{side}").exists():
            os.replace(f"{database}{side}", f"{kept}{side}")
    return kept if kept.exists() else None
