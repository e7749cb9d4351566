"""One running bot per data folder. Two bots on the same database would both answer every user and
step on each other's dialogs; the second one to start refuses instead. The lock is the kernel's
(flock on `crampbot.lock` in the data folder), so it is released the moment its process ends,
even by SIGKILL: a bot restarted after a crash never finds a stale lock."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import IO

if sys.platform != "win32":  # Windows has no fcntl: no lock there (the bot is meant for a Linux server)
    import fcntl

LOCK_FILE = "crampbot.lock"
# A bot killed together with its supervisor dies a moment after it: a new one started at once
# waits this long for the lock before deciding that another bot really is running.
LOCK_WAIT = 3.0


class AlreadyRunning(Exception):
    """Another bot process holds the data folder; the message says which one, in plain words."""


def hold_data_folder(folder: Path, wait: float = LOCK_WAIT) -> IO[str] | None:
    """Lock `folder` for this process's lifetime (keep the returned file open); AlreadyRunning
    when another process still holds it after `wait` seconds."""
    if sys.platform == "win32":
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115 - held as long as the process runs
    except OSError:
        return None  # a folder we cannot write: opening the database says why, in one line
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() < deadline:
                time.sleep(0.05)
                continue
        handle.seek(0)
        pid = handle.read().strip() or "unknown"
        handle.close()
        raise AlreadyRunning(f"another CrampBot (process {pid}) is already running on the data folder {folder}; "
                             "stop it first, or give this one its own CRAMPBOT_DATA_DIR") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle
