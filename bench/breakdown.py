"""Where CrampBot's CPU time per update goes, step by step from the echo bot: `make bench-breakdown`
(or .venv/bin/python bench/breakdown.py). Not part of the test suite.

Runs six bots in turn on the Bot API stand-in under the throughput load of bench/run.py (40 users
asking questions and waiting for each answer; 30 questions each here) and reads each bot's CPU time,
all its processes, from /proc:
  0. the echo bot (bench/echo_bot.py) on PTB's default HTTP client, httpx;
  1. the echo bot on CrampBot's HTTP client (bot.telegram_shell.http) and pacing;
  2. the echo bot sending a typical CrampBot answer with its buttons instead of the user's text;
  3. CrampBot's shell with the core's answers cached and nothing stored (bench/shell_only.py);
  4. the same with the real core on every update;
  5. CrampBot as shipped: one process under its supervisor.
Each step's difference to the one before is the cost of what it adds. Writes
bench/results/breakdown.md."""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    CRAMPBOT,
    ECHO_BOT,
    PTB_DEFAULTS,
    RESULTS,
    SAME_CLIENT_AND_PACING,
    closed_loop,
    cpu_seconds,
    machine,
    questions_of,
    running,
)
from bot.content.bundle import load_content  # noqa: E402
from bot.core.brain import Brain  # noqa: E402
from bot.matching.evaluation import load_labelled  # noqa: E402
from bot.telegram_shell.render import payloads  # noqa: E402
from bot.telegram_shell.shell import _inline_keyboard  # noqa: E402
from tests.support.botapi_standin import BotApiStandIn  # noqa: E402

USERS, PER_USER, ROUNDS = 40, 30, 5


def typical_reply(questions: list[str]) -> dict:
    """CrampBot's answer (text and buttons) of median length over the labelled questions."""
    brain = Brain(load_content())
    items = [payloads(brain.classify(q))[0] for q in questions]
    items.sort(key=lambda p: len(p["text"]))
    middle = items[len(items) // 2]
    return {"text": middle["text"], "reply_markup": _inline_keyboard(middle.get("buttons"))}


def main() -> int:
    """Measure each bot ROUNDS times in alternation; print and write the median CPU ms per update."""
    questions = questions_of(load_labelled(ROOT / "tests" / "data" / "labelled.yaml"))
    tmp = Path(tempfile.mkdtemp(prefix="crampbot-breakdown-"))
    reply_file = tmp / "reply.json"
    reply_file.write_text(json.dumps(typical_reply(questions)), encoding="utf-8")
    shell = [sys.executable, str(ROOT / "bench" / "shell_only.py")]
    bots = [
        ("echo bot on PTB's default HTTP client (httpx)", ECHO_BOT, PTB_DEFAULTS),
        ("echo bot on CrampBot's HTTP client and pacing", ECHO_BOT, SAME_CLIENT_AND_PACING),
        ("echo bot sending a typical CrampBot answer with buttons", ECHO_BOT,
         {**SAME_CLIENT_AND_PACING, "ECHO_REPLY": str(reply_file)}),
        ("CrampBot shell, core answers cached, nothing stored", shell, {"BREAKDOWN": "cached"}),
        ("CrampBot shell with the core, nothing stored", shell, {"BREAKDOWN": "core"}),
        ("CrampBot as shipped (one process and its supervisor)", CRAMPBOT, {}),
    ]
    samples: dict[str, list[float]] = {name: [] for name, _, _ in bots}
    try:
        for round_no in range(ROUNDS):
            for n, (name, command, extra) in enumerate(bots):
                data = tmp / f"data{round_no}{n}"
                with BotApiStandIn(privacy_mode=False) as standin, running(standin, command, data, extra) as (bot, _):
                    closed_loop(standin, 10_000, 5, 4, questions)  # warm-up
                    before = cpu_seconds(bot.pid)
                    run = closed_loop(standin, 20_000, USERS, PER_USER, questions)
                    used = cpu_seconds(bot.pid) - before
                if run["lost"]:
                    raise SystemExit(f"{name}: {run['lost']} replies lost")
                samples[name].append(used / (USERS * PER_USER) * 1000)
                print(f"round {round_no + 1}: {name}: {samples[name][-1]:.3f} ms", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    lines = [f"CrampBot CPU breakdown, {time.strftime('%Y-%m-%d %H:%M')} on {machine()}",
             f"(bot process CPU per update, median of {ROUNDS} runs of {USERS * PER_USER} updates)", "",
             "| bot | CPU per update | added by this step |", "| --- | --- | --- |"]
    previous = None
    for name, _, _ in bots:
        value = statistics.median(samples[name])
        added = "" if previous is None else f"{value - previous:+.3f} ms"
        lines.append(f"| {name} | {value:.3f} ms | {added} |")
        previous = value
    table = "\n".join(lines)
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "breakdown.md").write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
