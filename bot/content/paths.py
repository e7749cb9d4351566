"""Where the content (dialogs/ and knowledge/ YAML) is found, installed or from a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # bot/


def content_root(override: str | Path | None = None) -> Path:
    """Return the folder holding `dialogs/` and `knowledge/`.

    Order: `override` (the CRAMPBOT_CONTENT_DIR setting), the copy inside an installed wheel
    (bot/_content), then the repository checkout this package sits in (editable installs, source).
    """
    candidates = [Path(override)] if override else []
    candidates += [_PACKAGE / "_content", _PACKAGE.parent]
    for candidate in candidates:
        if (candidate / "dialogs").is_dir() and (candidate / "knowledge").is_dir():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"CrampBot content (dialogs/ and knowledge/) not found; looked in: {tried}")


def in_checkout() -> bool:
    """True when running from a source checkout (content sits beside the package, tests too)."""
    return (_PACKAGE.parent / "tests").is_dir() and not (_PACKAGE / "_content").is_dir()
