"""CrampBot benchmarks: `make bench` (or .venv/bin/python bench/run.py). Not part of the test suite.

Measures, on this machine, in one run:
  * matching: per-question latency p50/p99 in-process over the labelled set, and accuracy side by side
    with two baselines on the same knowledge and set (rapidfuzz extractOne; BM25 via rank-bm25);
  * full stack: many simulated users on the Bot API stand-in driving the real `crampbot` process
    (as shipped: one process under its supervisor; and as a poller with a worker per CPU), against a minimal echo bot
    built with the same library on the same stand-in (the ceiling), with CPU time per update;
  * emergency first-reply latency with 100 users mid-conversation;
  * memory (resident size) idle and with 10,000 stored users, and start-up time.
Prints a table and writes bench/results/latest.md and latest.json."""

from __future__ import annotations

import json
import os
import random
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rank_bm25 import BM25Okapi  # noqa: E402
from rapidfuzz import process, utils  # noqa: E402

from bot.content.bundle import load_content  # noqa: E402
from bot.core.brain import Brain  # noqa: E402
from bot.matching.evaluation import evaluate, load_labelled  # noqa: E402
from bot.matching.matcher import Match  # noqa: E402
from bot.core.session import DiaryEntry, Reminder, Session, Text  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.storage.sqlite import SQLiteStorage  # noqa: E402
from bot.telegram_shell.shell import CONCURRENT_UPDATES, CONNECTIONS  # noqa: E402
from bot.telegram_shell.updates import BATCH_PAUSE  # noqa: E402
from tests.support.botapi_standin import BotApiStandIn  # noqa: E402

TOKEN = "123456789:BENCH-token_abcdefghijklmnopqrstu"
RESULTS = ROOT / "bench" / "results"
ECHO_BOT = [sys.executable, str(ROOT / "bench" / "echo_bot.py")]
CRAMPBOT = [sys.executable, "-m", "bot", "telegram"]
# The echo bot with ours: updates at once, HTTP connections, our HTTP client (bot.telegram_http),
# our turn pacing (bot.turn_pacing), and the pause a busy bot makes between two getUpdates calls
# (ours pauses only while updates come together; the echo bot always does, which under this load
# is the same or better for it).
SAME_SETTINGS = {"ECHO_CONCURRENCY": str(CONCURRENT_UPDATES), "ECHO_POOL": str(CONNECTIONS),
                 "ECHO_POLL_INTERVAL": str(BATCH_PAUSE), "ECHO_HTTP": "aiohttp", "ECHO_PACING": "1"}
# The same echo bot on PTB's default HTTP client (httpx), as a bot built with the library's defaults runs
PTB_DEFAULT_HTTP = {**SAME_SETTINGS, "ECHO_HTTP": "httpx"}
rows: list[tuple[str, str, str, str]] = []  # (measure, value, target, verdict)
record: dict[str, float] = {}


def row(measure: str, value: float, unit: str, target: str = "", ok: bool | None = None, fmt: str = "{:.2f}"):
    """Add one line to the results table."""
    record[measure] = value
    verdict = "" if ok is None else ("ok" if ok else "MISSED")
    rows.append((measure, f"{fmt.format(value)} {unit}".strip(), target, verdict))


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values fall (rank rounded to the nearest whole number)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


# -- matching ------------------------------------------------------------------------------------

@dataclass
class ExtractOneBaseline:
    """Plain rapidfuzz.process.extractOne (WRatio, default processing) over the example phrasings."""

    examples: list[str]
    intents: list[str]
    threshold: float

    def match(self, message) -> Match:
        """Nearest example by WRatio; fallback under the threshold."""
        found = process.extractOne(" ".join(message.tokens), self.examples, processor=utils.default_process)
        if found is None or found[1] < self.threshold:
            return Match(None, found[1] if found else 0.0)
        return Match(self.intents[found[2]], found[1])


@dataclass
class BM25Baseline:
    """BM25 (rank-bm25, Okapi) over the example phrasings, best example decides."""

    model: BM25Okapi
    intents: list[str]
    threshold: float

    def match(self, message) -> Match:
        """Highest-scoring example; fallback under the threshold."""
        scores = self.model.get_scores(list(message.tokens))
        best = max(range(len(scores)), key=scores.__getitem__)
        if scores[best] < self.threshold:
            return Match(None, 0.0)
        return Match(self.intents[best], min(100.0, float(scores[best]) * 10))


def questions_of(items) -> list[str]:
    """The labelled utterances that should get an answer (the simulated users' questions)."""
    return [i.text for i in items if i.kind == "answer"]


def machine() -> str:
    """This machine, as the results files name it."""
    return (f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def bench_matching(brain: Brain, items) -> None:
    """Latency of our matcher in-process, and accuracy of the whole pipeline with each matcher."""
    content = brain.content
    messages = [content.normaliser.normalise(i.text) for i in items]
    timings = []
    for _ in range(5):
        for message in messages:
            start = time.perf_counter()
            content.matcher.match(message)
            timings.append((time.perf_counter() - start) * 1000)
    row("matching latency p50 (in-process)", percentile(timings, 0.5), "ms", fmt="{:.3f}")
    p99 = percentile(timings, 0.99)
    row("matching latency p99 (in-process)", p99, "ms", "< 1 ms", p99 < 1.0, fmt="{:.3f}")
    full = []
    for item in items:
        start = time.perf_counter()
        brain.classify(item.text)
        full.append((time.perf_counter() - start) * 1000)
    row("whole reply (safety scan + matching + wording) p99", percentile(full, 0.99), "ms", fmt="{:.3f}")

    examples, intents = [], []
    for entry in content.knowledge.entries.values():
        for example in entry.examples:
            examples.append(example)
            intents.append(entry.id)
    tokenised = [content.normaliser.normalise(e).tokens for e in examples]
    ours = evaluate(content, items).accuracy
    best_extract = max((evaluate(replace(content, matcher=ExtractOneBaseline(examples, intents, t)), items).accuracy, t)
                       for t in (50, 60, 70, 80, 85, 90))
    model = BM25Okapi([list(t) for t in tokenised])
    best_bm25 = max((evaluate(replace(content, matcher=BM25Baseline(model, intents, t)), items).accuracy, t)
                    for t in (2, 4, 6, 8, 10, 12))
    row("accuracy, CrampBot matcher", ours * 100, "%", "above both baselines",
        ours > best_extract[0] and ours > best_bm25[0], fmt="{:.1f}")
    row(f"accuracy, extractOne WRatio (best cut-off {best_extract[1]})", best_extract[0] * 100, "%", fmt="{:.1f}")
    row(f"accuracy, BM25 Okapi (best cut-off {best_bm25[1]})", best_bm25[0] * 100, "%", fmt="{:.1f}")


# -- full stack ----------------------------------------------------------------------------------

def start_bot(standin, command: list[str], data: Path, extra: dict | None = None) -> tuple[subprocess.Popen, float]:
    """Start a bot process on the stand-in; return it and its start-up time (spawn to first long poll)."""
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": standin.base_url,
           "CRAMPBOT_DATA_DIR": str(data), "CRAMPBOT_LOG_LEVEL": "WARNING", "TELEGRAM_RATE_LIMIT": "off",
           **(extra or {})}
    errors = tempfile.TemporaryFile()  # a file, not a pipe: a bot that logs a lot never blocks on it
    started = time.perf_counter()
    bot = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors)
    standin.wait_for(lambda: standin.polling or bot.poll() is not None, timeout=60)
    if bot.poll() is not None:
        errors.seek(0)
        raise SystemExit(f"bot failed to start: {errors.read().decode(errors='replace')}")
    return bot, time.perf_counter() - started


def stop_bot(bot: subprocess.Popen) -> None:
    """Stop a bot process."""
    bot.terminate()
    try:
        bot.wait(20)
    except subprocess.TimeoutExpired:
        bot.kill()


@contextmanager
def running(standin, command: list[str], data: Path, extra: dict | None = None):
    """A bot process on the stand-in for the length of the block: yields it and its start-up time;
    afterwards it is stopped (whatever happened) and the stand-in has seen its last poll."""
    bot, startup = start_bot(standin, command, data, extra)
    try:
        yield bot, startup
    finally:
        stop_bot(bot)
        standin.wait_for(lambda: not standin.polling, timeout=30)


def closed_loop(standin, first_chat: int, users: int, per_user: int, questions: list[str]) -> dict:
    """Each user sends a question, waits for the answer, sends the next. Returns throughput, latency
    percentiles and how many replies never came."""
    latencies: list[float] = []
    lost = [0]
    lock = threading.Lock()

    def user(index: int) -> None:
        chat = first_chat + index
        for n in range(per_user):
            before = standin.sent_count(chat)
            sent = time.perf_counter()
            standin.user_text(chat, questions[(index * per_user + n) % len(questions)])
            if not standin.wait_sent(chat, before + 1, timeout=30):
                with lock:
                    lost[0] += 1
                continue
            with lock:
                latencies.append((time.perf_counter() - sent) * 1000)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"rate": len(latencies) / elapsed, "p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99),
            "lost": lost[0], "replies": len(latencies)}


# Other echo settings tried for the best echo: (updates at once = connections, pause between polls)
ECHO_GRID = ((1, BATCH_PAUSE), (2, BATCH_PAUSE), (4, BATCH_PAUSE), (16, BATCH_PAUSE), (CONNECTIONS, 0.0))


def bench_full_stack(items, tmp: Path, rounds: int = 5) -> None:
    """Our bot vs the echo ceiling: each bot on its own stand-in (same code), same load, same
    settings, measured in alternation `rounds` times so all see the same machine; medians reported."""
    questions = questions_of(items)
    users, per_user = 40, 40
    bots = {"echo": (ECHO_BOT, SAME_SETTINGS), "echo on httpx": (ECHO_BOT, PTB_DEFAULT_HTTP),
            "shipped": (CRAMPBOT, {}), "workers": (CRAMPBOT, {"CRAMPBOT_WORKERS": "auto"})}
    runs: dict[str, list[dict]] = {name: [] for name in bots}
    with ExitStack() as stack:
        started = {}
        for name, (command, extra) in bots.items():
            api = stack.enter_context(BotApiStandIn(privacy_mode=False))
            process, _ = stack.enter_context(running(api, command, tmp / name.replace(" ", "-"), extra))
            closed_loop(api, 10_000, 5, 4, questions)  # warm-up
            started[name] = (process, api)
        for n in range(rounds):
            for name, (process, api) in started.items():
                runs[name].append(with_cpu(process, lambda: closed_loop(api, 20_000 + 1000 * n, users, per_user,
                                                                        questions)))
        emergency = emergency_latency(started["shipped"][1], 50_000, 100)
    others = {(CONCURRENT_UPDATES, CONNECTIONS, BATCH_PAUSE): runs["echo"]}
    with BotApiStandIn(privacy_mode=False) as echo_api:
        for g, (at_once, pause) in enumerate(ECHO_GRID):
            with running(echo_api, ECHO_BOT, tmp / f"echo{g}", {**SAME_SETTINGS, "ECHO_CONCURRENCY": str(at_once),
                                                               "ECHO_POOL": str(at_once),
                                                               "ECHO_POLL_INTERVAL": str(pause)}):
                closed_loop(echo_api, 60_000, 5, 4, questions)
                others[(at_once, at_once, pause)] = [closed_loop(echo_api, 70_000 + 1000 * (g * rounds + n), users,
                                                                 per_user, questions) for n in range(rounds)]
    ceiling, httpx_echo = median_run(runs["echo"]), median_run(runs["echo on httpx"])
    mine, split = median_run(runs["shipped"]), median_run(runs["workers"])
    workers = load_settings(environ={**os.environ, "CRAMPBOT_WORKERS": "auto"}).workers
    (best_at, best_pool, best_pause), best_echo = max(((k, median_run(v)) for k, v in others.items()),
                                                      key=lambda kv: kv[1]["rate"])
    ratio = mine["rate"] / ceiling["rate"]
    row(f"echo bot ceiling, same settings and HTTP client ({users} users x {per_user} questions, "
        f"median of {rounds})", ceiling["rate"], "updates/s", fmt="{:.0f}")
    row("echo bot reply latency p50 / p99", ceiling["p50"], f"ms / {ceiling['p99']:.0f} ms", fmt="{:.0f}")
    row(f"echo bot at its best setting ({best_at} at once, {best_pool} connections, {best_pause * 1000:.0f} ms "
        f"pause, median of {rounds})", best_echo["rate"], "updates/s", fmt="{:.0f}")
    row("echo bot on PTB's default HTTP client, httpx (same settings otherwise)", httpx_echo["rate"], "updates/s",
        fmt="{:.0f}")
    row(f"CrampBot full stack, as shipped: one process under its supervisor (median of {rounds})", mine["rate"],
        "updates/s", fmt="{:.0f}")
    row("CrampBot reply latency p50 / p99", mine["p50"], f"ms / {mine['p99']:.0f} ms", fmt="{:.0f}")
    row("CrampBot as a share of the echo ceiling", ratio, "", ">= 0.8", ratio >= 0.8)
    row("CrampBot as a share of the best echo", mine["rate"] / best_echo["rate"], "")
    row("CrampBot as a share of the echo bot on httpx", mine["rate"] / httpx_echo["rate"], "")
    row(f"CrampBot as a poller and {workers} workers, CRAMPBOT_WORKERS=auto (median of {rounds})", split["rate"],
        "updates/s",
        fmt="{:.0f}")
    row("CrampBot as a poller and workers as a share of the echo ceiling", split["rate"] / ceiling["rate"], "")
    row("CPU per update (all processes): echo bot / on httpx", ceiling["cpu_ms"],
        f"ms / {httpx_echo['cpu_ms']:.2f} ms", fmt="{:.2f}")
    row("CPU per update: CrampBot as shipped / as a poller and workers", mine["cpu_ms"],
        f"ms / {split['cpu_ms']:.2f} ms",
        fmt="{:.2f}")
    grid = [each for each in others.values() if each is not runs["echo"]]  # the echo's runs only once
    lost = sum(r["lost"] for each in [*runs.values(), *grid] for r in each)
    row("lost replies (all runs)", lost, "", "0", lost == 0, fmt="{:.0f}")
    row(f"emergency first reply p50, 100 users mid-conversation ({emergency['count']} reports)", emergency["p50"],
        "ms", fmt="{:.1f}")
    row("emergency first reply p99, 100 users mid-conversation", emergency["p99"], "ms", "< 50 ms",
        emergency["p99"] < 50, fmt="{:.1f}")


def with_cpu(bot: subprocess.Popen, run) -> dict:
    """`run()`'s results plus the bot's CPU time per reply in ms (all its processes)."""
    before = cpu_seconds(bot.pid)
    result = run()
    return {**result, "cpu_ms": (cpu_seconds(bot.pid) - before) / max(1, result["replies"]) * 1000}


def median_run(runs: list[dict]) -> dict:
    """The run with the median throughput."""
    return sorted(runs, key=lambda r: r["rate"])[len(runs) // 2]


def emergency_latency(standin, first_chat: int, users: int, seconds: float = 20.0) -> dict:
    """100 users mid check-up keep answering (one message every 2-4 s each, about 33 updates a
    second in all); each of them reports a cramp once, after one to three answers. Time from each
    report to its first reply (the relief step)."""
    rng = random.Random(5)
    for i in range(users):
        standin.user_text(first_chat + i, "/checkup")
    for i in range(users):
        standin.wait_sent(first_chat + i, 1, timeout=60)
    answers = ["at night", "skip", "back", "now and then", "skip", "back"]
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def user(index: int) -> None:
        chat = first_chat + index
        time.sleep(rng.uniform(0, 3))
        reported = False
        n = 0
        while time.perf_counter() < deadline:
            emergency = not reported and n >= 1 + index % 3
            text = "my foot is cramping right now" if emergency else answers[n % len(answers)]
            before = standin.sent_count(chat)
            sent = time.perf_counter()
            standin.user_text(chat, text)
            standin.wait_sent(chat, before + 1, timeout=30)
            if emergency:
                reported = True
                with lock:
                    latencies.append((time.perf_counter() - sent) * 1000)
                standin.user_text(chat, "it's gone")
                standin.wait_sent(chat, before + 2, timeout=30)
            n += 1
            time.sleep(rng.uniform(2, 4))

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99), "count": len(latencies)}


# -- memory and start-up -------------------------------------------------------------------------

def process_tree(pid: int) -> list[int]:
    """A process and all its descendants (CrampBot's supervisor and bot, or its poller and workers)."""
    children = []
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        children += [int(c) for c in listing.read_text().split()]
    return [pid] + [p for child in children for p in process_tree(child)]


def rss_mb(pid: int) -> float:
    """Resident set size of a process and its descendants together, in MB."""
    total = 0
    for member in process_tree(pid):
        for line in Path(f"/proc/{member}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time so far of a process and its descendants."""
    total = 0
    for member in process_tree(pid):
        fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def seed_users(path: Path, count: int, brain: Brain) -> None:
    """`count` stored users: each mid check-up with a five-entry diary; a third with reminders."""
    storage = SQLiteStorage(path)
    now = time.time()
    template = brain.respond(Session(), Text("/checkup"), now).session
    diary = tuple(DiaryEntry(i + 1, now - i * 86400, "calf", 3, "minutes", ("stretch",), "bed") for i in range(5))
    for chat in range(1, count + 1):
        reminders = (Reminder("bedtime", ("22:30",), now + 3600 + chat),) if chat % 3 == 0 else ()
        storage.record_turn(chat, None, replace(template, diary=diary, next_entry_id=6, reminders=reminders), [])
    storage.close()


def startup_and_memory(data: Path) -> tuple[float, float]:
    """Start the bot on `data`: seconds from spawn to first poll, and its resident MB a second later."""
    with BotApiStandIn() as standin, running(standin, CRAMPBOT, data) as (bot, startup):
        time.sleep(1.0)
        return startup, rss_mb(bot.pid)


def bench_memory(tmp: Path, brain: Brain) -> None:
    """Resident size idle and with 10,000 stored users; start-up time in both cases."""
    startup, resident = startup_and_memory(tmp / "idle")
    row("start-up, empty database (spawn to first poll)", startup, "s")
    row("resident memory, idle", resident, "MB", fmt="{:.0f}")
    seed_users(tmp / "full" / "crampbot.sqlite3", 10_000, brain)
    startup, resident = startup_and_memory(tmp / "full")
    row("start-up, 10,000 stored users", startup, "s")
    row(f"resident memory, 10,000 stored users ({10_000 // 3:,} reminders scheduled)", resident, "MB", fmt="{:.0f}")
    core = subprocess.run([sys.executable, "-c", "import time; t=time.perf_counter(); from bot.wiring import "
                           "build_brain; from bot.settings import load_settings; build_brain(load_settings()); "
                           "print(time.perf_counter()-t)"], capture_output=True, text=True, cwd=ROOT)
    seconds = float(core.stdout.strip())
    row("core start-up (load and check content, build matcher)", seconds, "s", "< 1 s", seconds < 1.0)


def main() -> int:
    """Run everything, print the table, write the results files; exit 1 if a target is missed."""
    brain = Brain(load_content())
    items = load_labelled(ROOT / "tests" / "data" / "labelled.yaml")
    tmp = Path(tempfile.mkdtemp(prefix="crampbot-bench-"))
    try:
        bench_matching(brain, items)
        bench_full_stack(items, tmp)
        bench_memory(tmp, brain)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    width = max(len(r[0]) for r in rows)
    lines = [f"CrampBot benchmark, {time.strftime('%Y-%m-%d %H:%M')} on {machine()}", "",
             f"| {'measure':<{width}} | value | target | |", f"| {'-' * width} | --- | --- | --- |"]
    lines += [f"| {m:<{width}} | {v} | {t} | {k} |" for m, v, t, k in rows]
    table = "\n".join(lines)
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(table + "\n", encoding="utf-8")
    (RESULTS / "latest.json").write_text(json.dumps({"machine": machine(), "results": record}, indent=2),
                                         encoding="utf-8")
    return 1 if any(r[3] == "MISSED" for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
