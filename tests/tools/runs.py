"""What the scoring scripts share: their command line, and running a set's messages through
`crampbot ask --json` (one message a line) to get one reply record per message."""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
from typing import Any


def arguments() -> argparse.Namespace:
    """FILE, --cmd (default "crampbot ask --json") and -v (print every failure)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("cases")
    parser.add_argument("--cmd", default="crampbot ask --json")
    parser.add_argument("-v", action="store_true")
    return parser.parse_args()


def replies(cmd: str, texts: list[str], timeout: float = 600) -> list[dict[str, Any]] | None:
    """The JSON reply to each text, in order; None (with the command's last error output printed) when the
    command did not answer every one."""
    run = subprocess.run(shlex.split(cmd), input="\n".join(" ".join(t.split()) for t in texts) + "\n",
                         capture_output=True, text=True, timeout=timeout)
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    if len(lines) != len(texts):
        print(run.stderr[-2000:])
        return None
    return [json.loads(line) for line in lines]
