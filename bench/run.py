"""CrampBot's benchmark: `make bench` (or .venv/bin/python bench/run.py). Not part of the test suite.

Measures, on this machine (docs/benchmarks.md explains each row and how it is measured):
  * throughput: 40 simulated users on the Bot API stand-in drive the real `crampbot telegram` process,
    reported as a ratio of a minimal echo bot (bench/echo_bot.py) on PTB's default HTTP client (the
    target) and of the same echo bot on CrampBot's HTTP client and pacing (for information), with
    the CPU time per update of each;
  * the emergency first reply's latency with 100 users mid-conversation;
  * the matcher's latency, in-process;
  * resident memory and start-up time, idle and with 10,000 stored users.
Prints a table, writes bench/results/latest.md and latest.json, and exits 1 when a target is missed."""

from __future__ import annotations

import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.content.bundle import load_content  # noqa: E402
from bot.core.brain import Brain  # noqa: E402
from bot.core.session import DiaryEntry, Reminder, Session, Text  # noqa: E402
from bot.matching.evaluation import load_labelled  # noqa: E402
from bot.storage.sqlite import SQLiteStorage  # noqa: E402
from bot.telegram_shell.shell import CONCURRENT_UPDATES, CONNECTIONS  # noqa: E402
from bot.telegram_shell.updates import BATCH_PAUSE  # noqa: E402
from tests.support.botapi_standin import BotApiStandIn  # noqa: E402

TOKEN = "123456789:BENCH-token_abcdefghijklmnopqrstu"
RESULTS = ROOT / "bench" / "results"
ECHO_BOT = [sys.executable, str(ROOT / "bench" / "echo_bot.py")]
CRAMPBOT = [sys.executable, "-m", "bot", "telegram"]
# The echo bot with CrampBot's settings, so that only CrampBot's own work separates the two: as many
# updates at once and HTTP connections, CrampBot's HTTP client (bot.telegram_shell.http), its turn
# pacing (bot.telegram_shell.pacing), and its pause between two getUpdates calls (CrampBot pauses
# only while updates arrive quickly, which under this load is all the time; the echo bot always does).
SAME_CLIENT_AND_PACING = {"ECHO_CONCURRENCY": str(CONCURRENT_UPDATES), "ECHO_POOL": str(CONNECTIONS),
                          "ECHO_POLL_INTERVAL": str(BATCH_PAUSE), "ECHO_HTTP": "aiohttp", "ECHO_PACING": "1"}
# The same echo bot on PTB's default HTTP client (httpx), the one a bot built with the library gets
# unless it brings its own; everything else as above, so the bots take updates the same way.
PTB_DEFAULTS = {**SAME_CLIENT_AND_PACING, "ECHO_HTTP": "httpx"}
USERS, QUESTIONS_EACH, ROUNDS = 40, 40, 5


@dataclass
class Table:
    """The results: rows for the table, and the numbers behind them by key for latest.json."""

    rows: list[tuple[str, str, str, str]] = field(default_factory=list)  # measure, value, target, verdict
    numbers: dict[str, float] = field(default_factory=dict)

    def add(self, measure: str, value: str, target: str = "", ok: bool | None = None, **numbers: float) -> None:
        """Add one line to the table and its numbers to the record."""
        self.numbers.update({key: round(number, 4) for key, number in numbers.items()})
        self.rows.append((measure, value, target, "" if ok is None else ("ok" if ok else "MISSED")))

    def missed(self) -> bool:
        """Whether any target was missed."""
        return any(verdict == "MISSED" for *_, verdict in self.rows)

    def markdown(self) -> str:
        """The table in Markdown, columns aligned."""
        width = max(len(measure) for measure, *_ in self.rows)
        lines = [f"| {'measure':<{width}} | value | target | |", f"| {'-' * width} | --- | --- | --- |"]
        return "\n".join(lines + [f"| {m:<{width}} | {v} | {t} | {k} |" for m, v, t, k in self.rows])


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values fall (rank rounded to the nearest whole number)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def questions_of(items) -> list[str]:
    """The labelled utterances that should get an answer (the simulated users' questions)."""
    return [i.text for i in items if i.kind == "answer"]


def machine() -> str:
    """This machine and the libraries that carry the load, as the results files name them."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    ram = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal:")) / 1024 ** 2
    libraries = ", ".join(f"{name} {version(name)}" for name in ("python-telegram-bot", "aiohttp", "httpx"))
    return (f"{platform.machine()}, {os.cpu_count()} CPUs ({cpu}), {ram:.0f} GiB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, {libraries}")


def load_average() -> str:
    """The machine's load average over 1, 5 and 15 minutes, as `uptime` shows it."""
    return ", ".join(f"{load:.2f}" for load in os.getloadavg())


# -- matching ------------------------------------------------------------------------------------

def bench_matching(table: Table, brain: Brain, items) -> None:
    """The matcher's latency per question, in-process, over the labelled set five times."""
    content = brain.content
    messages = [content.normaliser.normalise(i.text) for i in items]
    timings = []
    for _ in range(5):
        for message in messages:
            start = time.perf_counter()
            content.matcher.match(message)
            timings.append((time.perf_counter() - start) * 1000)
    p99 = percentile(timings, 0.99)
    table.add("matcher latency p99 (in-process, labelled set)", f"{p99:.3f} ms", "< 1 ms", p99 < 1.0,
              matcher_p99_ms=p99)
    bench_reading(table, brain)
    bench_scan(table, brain)


def bench_scan(table: Table, brain: Brain) -> None:
    """The safety scan alone (timeline, red-flag, question and routine rules), in-process, with
    normalisation, once over every message of the red-flag, triage and real-question sets (once: a
    message seen again would find its clauses' phrases cached)."""
    data = ROOT / "tests" / "data"
    texts = [str(u["text"])
             for u in yaml.safe_load((data / "red_flags.yaml").read_text(encoding="utf-8"))["utterances"]]
    for path in sorted(data.glob("triage_fresh_*.yaml")):
        texts += [str(c["text"]) for c in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]]
    texts += [" ".join(str(c["q"]).split())
              for c in yaml.safe_load((data / "real_questions.yaml").read_text(encoding="utf-8"))["cases"]]
    content = brain.content
    timings = []
    for text in texts:
        start = time.perf_counter()
        content.triggers.assess(content.normaliser.normalise(text))
        timings.append((time.perf_counter() - start) * 1000)
    p99 = percentile(timings, 0.99)
    table.add(f"safety scan p99 (in-process, {len(texts):,} messages)", f"{p99:.1f} ms", "< 10 ms", p99 < 10.0,
              scan_p99_ms=p99)


def bench_reading(table: Table, brain: Brain) -> None:
    """A whole reply to a long real message, in-process: the reading, retrieval per question and the
    answer built from it, over tests/data/real_questions.yaml three times."""
    cases = yaml.safe_load((ROOT / "tests" / "data" / "real_questions.yaml").read_text(encoding="utf-8"))["cases"]
    texts = [" ".join(str(case["q"]).split()) for case in cases]
    timings = []
    for _ in range(3):
        for text in texts:
            start = time.perf_counter()
            brain.classify(text)
            timings.append((time.perf_counter() - start) * 1000)
    p99 = percentile(timings, 0.99)
    table.add("reply to a real question p99 (in-process, 155 long messages)", f"{p99:.1f} ms", "≤ 30 ms",
              p99 <= 30.0, reading_p99_ms=p99)


# -- full stack ----------------------------------------------------------------------------------

def start_bot(standin, command: list[str], data: Path, extra: dict | None = None) -> tuple[subprocess.Popen, float]:
    """Start a bot process on the stand-in; return it and its start-up time (spawn to first long poll)."""
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": standin.base_url,
           "CRAMPBOT_DATA_DIR": str(data), "CRAMPBOT_LOG_LEVEL": "WARNING", "TELEGRAM_RATE_LIMIT": "off",
           **(extra or {})}
    errors = data.with_name(f"{data.name}.stderr")  # a file, not a pipe: a bot that logs a lot never blocks on it
    errors.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with errors.open("wb") as stderr:  # the bot keeps its own copy open
        bot = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
    standin.wait_for(lambda: standin.polling or bot.poll() is not None, timeout=60)
    if bot.poll() is not None:
        raise SystemExit(f"bot failed to start: {errors.read_text(errors='replace')}")
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


def with_cpu(bot: subprocess.Popen, run, *args) -> dict:
    """`run(*args)`'s results plus the bot's CPU time per reply in ms (all its processes)."""
    before = cpu_seconds(bot.pid)
    result = run(*args)
    return {**result, "cpu_ms": (cpu_seconds(bot.pid) - before) / max(1, result["replies"]) * 1000}


def median_run(runs: list[dict]) -> dict:
    """The run with the median throughput."""
    return sorted(runs, key=lambda r: r["rate"])[len(runs) // 2]


def bench_full_stack(table: Table, items, tmp: Path) -> None:
    """CrampBot against the two echo bots, each on its own stand-in under the same load, measured in
    alternation ROUNDS times so that all three see the machine in the same state; medians reported.
    Then the emergency latency, on CrampBot's stand-in."""
    questions = questions_of(items)
    bots = {"crampbot": (CRAMPBOT, {}), "echo on PTB defaults": (ECHO_BOT, PTB_DEFAULTS),
            "echo on the same client": (ECHO_BOT, SAME_CLIENT_AND_PACING)}
    runs: dict[str, list[dict]] = {name: [] for name in bots}
    with ExitStack() as stack:
        started = {}
        for name, (command, extra) in bots.items():
            api = stack.enter_context(BotApiStandIn(privacy_mode=False))
            process, _ = stack.enter_context(running(api, command, tmp / name.replace(" ", "-"), extra))
            closed_loop(api, 10_000, 5, 4, questions)  # warm-up: imports, caches, connections
            started[name] = (process, api)
        for n in range(ROUNDS):
            for name, (process, api) in started.items():
                runs[name].append(with_cpu(process, closed_loop, api, 20_000 + 1000 * n, USERS, QUESTIONS_EACH,
                                           questions))
        emergency = emergency_latency(started["crampbot"][1], 50_000, 100)
    mine, ptb, same = (median_run(runs[name]) for name in bots)
    to_ptb, to_same = mine["rate"] / ptb["rate"], mine["rate"] / same["rate"]
    table.add("CrampBot / echo bot on PTB defaults (throughput)", f"{to_ptb:.2f}", ">= 1.0", to_ptb >= 1.0,
              ratio_to_echo_on_ptb_defaults=to_ptb)
    table.add("CrampBot / echo bot on the same HTTP client and pacing (throughput, for information)",
              f"{to_same:.2f}", ratio_to_echo_on_same_client=to_same)
    table.add(f"updates a second (median of {ROUNDS}): CrampBot / echo on PTB defaults / echo on same client",
              f"{mine['rate']:.0f} / {ptb['rate']:.0f} / {same['rate']:.0f}",
              crampbot_updates_per_s=mine["rate"], echo_on_ptb_defaults_updates_per_s=ptb["rate"],
              echo_on_same_client_updates_per_s=same["rate"])
    table.add("CPU per update (all of a bot's processes): CrampBot / echo on PTB defaults / echo on same client",
              f"{mine['cpu_ms']:.2f} / {ptb['cpu_ms']:.2f} / {same['cpu_ms']:.2f} ms",
              crampbot_cpu_ms_per_update=mine["cpu_ms"], echo_on_ptb_defaults_cpu_ms_per_update=ptb["cpu_ms"],
              echo_on_same_client_cpu_ms_per_update=same["cpu_ms"])
    lost = sum(r["lost"] for each in runs.values() for r in each)
    # A reply that never came would make a bot look faster than it is: the throughput only counts if none was lost.
    table.add("replies lost in the throughput runs", f"{lost}", "0", lost == 0, lost_replies=lost)
    table.add(f"emergency first reply p99, 100 users mid-conversation ({emergency['count']} reports)",
              f"{emergency['p99']:.1f} ms", "< 50 ms", emergency["p99"] < 50, emergency_p99_ms=emergency["p99"])


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
    """A process and all its descendants (CrampBot's supervisor and the bot it runs)."""
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


CORE_STARTUP = ("import time; t = time.perf_counter(); from bot.wiring import build_brain; "
                "from bot.settings import load_settings; build_brain(load_settings()); print(time.perf_counter() - t)")


def bench_memory(table: Table, tmp: Path, brain: Brain) -> None:
    """Resident size and start-up time, idle and with 10,000 stored users; the core's own start-up."""
    startup, resident = startup_and_memory(tmp / "idle")
    table.add("start-up, empty database (spawn to first getUpdates)", f"{startup:.2f} s", startup_empty_s=startup)
    table.add("resident memory, idle (the supervisor and the bot)", f"{resident:.0f} MB", memory_idle_mb=resident)
    seed_users(tmp / "full" / "crampbot.sqlite3", 10_000, brain)
    startup, resident = startup_and_memory(tmp / "full")
    table.add("start-up, 10,000 stored users", f"{startup:.2f} s", startup_10k_users_s=startup)
    table.add(f"resident memory, 10,000 stored users ({10_000 // 3:,} reminders scheduled)", f"{resident:.0f} MB",
              memory_10k_users_mb=resident)
    core = subprocess.run([sys.executable, "-c", CORE_STARTUP], capture_output=True, text=True, cwd=ROOT, check=True)
    seconds = float(core.stdout.strip())
    table.add("core start-up (load and check content, build matcher)", f"{seconds:.2f} s", "< 1 s", seconds < 1.0,
              core_startup_s=seconds)


def main() -> int:
    """Run everything, print the table, write the results files; exit 1 if a target is missed."""
    brain = Brain(load_content())
    items = load_labelled(ROOT / "tests" / "data" / "labelled.yaml")
    table = Table()
    load_before, started = load_average(), time.strftime("%Y-%m-%d %H:%M")
    tmp = Path(tempfile.mkdtemp(prefix="crampbot-bench-"))
    try:
        bench_full_stack(table, items, tmp)
        bench_matching(table, brain, items)
        bench_memory(table, tmp, brain)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return write_results(table, "CrampBot benchmark", "latest", started, load_before)


def write_results(table: Table, title: str, name: str, started: str, load_before: str) -> int:
    """Print the table under a heading (the machine, the load before and after), write it to
    bench/results/<name>.md and its numbers to <name>.json; 1 when a target was missed, else 0."""
    load_after = load_average()
    heading = (f"{title}, {started}, on {machine()}.\n"
               f"Load average (1, 5, 15 min) before: {load_before}; after: {load_after}.")
    text = f"{heading}\n\n{table.markdown()}\n"
    print(text, end="")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.md").write_text(text, encoding="utf-8")
    (RESULTS / f"{name}.json").write_text(json.dumps({"date": started, "machine": machine(), "load_before": load_before,
                                                      "load_after": load_after, "results": table.numbers}, indent=2)
                                          + "\n", encoding="utf-8")
    return 1 if table.missed() else 0


if __name__ == "__main__":
    if sys.argv[1:]:  # it takes no options; anything (such as --help) shows what it does instead of running
        print(__doc__)
        raise SystemExit(0 if sys.argv[1:] in (["-h"], ["--help"]) else 2)
    raise SystemExit(main())
