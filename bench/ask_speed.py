"""Start-up time and 1,000 questions through `crampbot ask` (targets: start-up < 1 s, 1,000 answers
< 2 s beyond start-up). Run: .venv/bin/python bench/ask_speed.py"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CRAMPBOT = [str(Path(sys.executable).parent / "crampbot")]
RUNS = 5


def timed(stdin: str, args: list[str]) -> float:
    """Wall time of one `crampbot ask` run."""
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": ""}
    start = time.perf_counter()
    result = subprocess.run(CRAMPBOT + args, input=stdin, capture_output=True, text=True, env=env, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"crampbot failed: {result.stderr}")
    return elapsed


def questions(count: int) -> str:
    """`count` realistic questions, cycling through the labelled set."""
    doc = yaml.safe_load((ROOT / "tests/data/labelled.yaml").read_text(encoding="utf-8"))
    texts = [u["text"] for u in doc["utterances"]]
    return "\n".join(texts[i % len(texts)] for i in range(count)) + "\n"


def main() -> int:
    """Measure and print; exit 1 if a target is missed."""
    startup = statistics.median(timed("", ["ask"]) for _ in range(RUNS))
    batch = questions(1000)
    total = statistics.median(timed(batch, ["ask", "--json"]) for _ in range(RUNS))
    beyond = total - startup
    rows = [("start-up (empty input)", startup, 1.0), ("1,000 questions, total", total, None),
            ("1,000 questions beyond start-up", beyond, 2.0)]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"median of {RUNS} runs")
    print(f"{'measure':<34}{'seconds':>9}{'target':>9}")
    ok = True
    for name, value, target in rows:
        verdict = "" if target is None else ("  ok" if value < target else "  MISSED")
        ok &= target is None or value < target
        print(f"{name:<34}{value:>9.3f}{('< ' + str(target)) if target else '':>9}{verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
