"""Write tests/data/source_shingles.txt: hashes of every 8-word run in the source documents.

The test suite checks that no user-facing text repeats such a run (no copied sentences) without
the repository holding the documents' text. Run from the repository root:

    python tests/tools/make_source_shingles.py ../shared
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

N = 8
_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """Lower-case words, apostrophes dropped ("don't" -> "dont")."""
    return _WORD.findall(text.lower().replace("\u2019", "").replace("'", ""))


def shingles(text: str, n: int = N) -> set[str]:
    """Short hashes of every run of n words."""
    w = words(text)
    return {hashlib.blake2b(" ".join(w[i:i + n]).encode(), digest_size=8).hexdigest()
            for i in range(len(w) - n + 1)}


def main(shared: Path) -> None:
    """Hash the seeds and the safety reference."""
    files = sorted((shared / "seeds").glob("*.txt")) + [shared / "reference" / "safety.md"]
    found: set[str] = set()
    for path in files:
        found |= shingles(path.read_text(encoding="utf-8"))
    out = Path("tests/data/source_shingles.txt")
    out.write_text(f"# {N}-word shingles of {len(files)} source documents (blake2b-64)\n"
                   + "\n".join(sorted(found)) + "\n", encoding="utf-8")
    print(f"wrote {len(found)} shingles to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared"))
