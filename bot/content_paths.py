"""Where the content (dialogs/ and knowledge/ YAML) is found, installed or from a checkout."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def content_root() -> Path:
    """Return the folder holding `dialogs/` and `knowledge/`.

    Order: $CRAMPBOT_CONTENT_DIR, the copy inside an installed wheel (bot/_content), then the
    repository checkout this package sits in (editable installs and running from source).
    """
    override = os.environ.get("CRAMPBOT_CONTENT_DIR")
    candidates = [Path(override)] if override else []
    candidates += [_PACKAGE / "_content", _PACKAGE.parent]
    for candidate in candidates:
        if (candidate / "dialogs").is_dir() and (candidate / "knowledge").is_dir():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"CrampBot content (dialogs/ and knowledge/) not found; looked in: {tried}")
